# The init helper and the init styles plain, sysv and minit.
. "$VS_TESTDIR/lib.sh"

g=$(gname i)
check "build (default style sysv with busybox rcS/rcK)" new_guest "$g"
C=$VSERVER_CONFDIR/$g
V=$(vdir "$g")
cond "style is sysv" test "$(cat "$C/apps/init/style")" = sysv
mkdir -p "$V/etc/rc.d"
cat >"$V/etc/rc.d/S10mark" <<'EOS'
#!/bin/sh
[ "$1" = start ] && sleep 1
echo "$1" >> /var/log/marks
EOS
chmod 755 "$V/etc/rc.d/S10mark"
rm -f "$V/var/log/marks"
check "start" "$VS" "$g" start
cond "start waited for the start command (rcS) to finish" grep -qsx start "$V/var/log/marks"
check_out "the helper is PID 1" '^vserver-init --ready-fd' "$VS" "$g" exec /bin/sh -c 'tr "\0" " " </proc/1/cmdline'
check_refused "... from a read-only mount (chmod of /proc/1/exe: EROFS)" 'Read-only file system' \
	"$VS" "$g" exec chmod 755 /proc/1/exe
"$VS" "$g" exec /bin/sh -c '(sleep 0.3 &) ; (sleep 0.3 &)' >/dev/null
sleep 1
z=$("$VS" "$g" exec /bin/sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l')
cond "orphans are reaped by the helper (no zombies)" test "$z" = 0
check "stop" "$VS" "$g" stop
cond "stop ran the stop command (rcK)" grep -qsx stop "$V/var/log/marks"

check_msg 1 "a missing init helper fails the start clearly" "guest helper .*vserver-init" \
	env VSERVER_HELPERDIR=/nonexistent "$VS" "$g" start
cond "... and leaves nothing" test -z "$(cg_procs "$g")" -a ! -e "$VSERVER_RUNDIR/$g.state" \
	-a ! -d "$(guest_cg "$g")"
echo /bin/false >"$C/apps/init/cmd.start"
check_msg 1 "a failing start command fails the start, and says so" "start command failed" \
	"$VS" "$g" start
cond "... and the guest is not left running" not running "$g"
cond "... nor anything of it" test -z "$(cg_procs "$g")" -a ! -e "$VSERVER_RUNDIR/$g.state"
echo /no/such/rc >"$C/apps/init/cmd.start"
check_msg 1 "a missing start command is named" "cannot execute the start command /no/such/rc" \
	"$VS" "$g" start
cond "... nothing is left" test -z "$(cg_procs "$g")" -a ! -e "$VSERVER_RUNDIR/$g.state"

# minit: the helper runs the configured command as the guest's service.
echo minit >"$C/apps/init/style"
printf '/bin/sh\n-c\ntrap "echo hup >> /var/log/hup" HUP; while :; do sleep 0.1; done\n' \
	>"$C/apps/init/cmd.start"
rm -f "$C/apps/init/cmd.stop" "$V/var/log/hup"
check "minit: start" "$VS" "$g" start
check_out "minit: the service runs" 'while :' "$VS" "$g" exec ps
init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
kill -HUP "$init"
cond "minit: the helper forwards SIGHUP to the service" wait_until 5 test -s "$V/var/log/hup"
check "minit: stop" "$VS" "$g" stop
rm "$C/apps/init/style"
check_msg 1 "a minit style without cmd.start is refused" "cmd.start is missing" \
	bash -c "echo minit > '$C/apps/init/style'; rm -f '$C/apps/init/cmd.start'; '$VS' '$g' start"

# plain: the guest's own /sbin/init (busybox init with the inittab)
echo plain >"$C/apps/init/style"
rm -f "$V/var/log/marks"
check "plain: start" "$VS" "$g" start
check_out "plain: PID 1 is the guest's own init" '^/bin/busybox$' "$VS" "$g" exec readlink /proc/1/exe
cond "plain: busybox init ran rcS" wait_until 5 grep -qsx start "$V/var/log/marks"
printf '/bin/sh\n-c\necho cmd.stop >> /var/log/marks\n' >"$C/apps/init/cmd.stop"
check "plain: stop" "$VS" "$g" stop
cond "plain: cmd.stop ran inside before the init was signalled" grep -qsx cmd.stop "$V/var/log/marks"
cond "plain: its shutdown ran rcK" grep -qsx stop "$V/var/log/marks"
rm -f "$C/apps/init/cmd.stop"
echo HUP >"$C/apps/init/stop-signal"	# busybox init ignores it
echo 500ms >"$C/apps/init/stop-timeout"
check "plain: start" "$VS" "$g" start
check_msg 0 "stop-signal is sent; after stop-timeout the guest is killed" "still running after 500 ms" \
	"$VS" "$g" stop
cond "... and it is stopped" not running "$g"
rm -f "$C/apps/init/stop-signal" "$C/apps/init/stop-timeout"
echo sysv >"$C/apps/init/style"
printf '/etc/init.d/rcS\n' >"$C/apps/init/cmd.start"
finish
