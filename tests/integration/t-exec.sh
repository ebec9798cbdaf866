# exec and enter hand the guest nothing of the host.
. "$VS_TESTDIR/lib.sh"

g=$(gname x)
check "build" new_guest "$g"
check "start" "$VS" "$g" start

exec 7</etc/hostname 8>/dev/null 9<"$VS_TESTDIR/lib.sh"
fds=$("$VS" "$g" exec /bin/vs-probe fds 2>&1 | sort -n | tr '\n' ' ')
cond "exec: only fds 0-2 reach the guest (host had 7, 8, 9 open: got '$fds')" test "$fds" = "0 1 2 "
exec 7<&- 8>&- 9<&-
check_out "exec: working directory is the guest's / (host cwd elsewhere)" '^/$' \
	bash -c "cd /usr/share && '$VS' '$g' exec /bin/sh -c pwd"
check_out "exec --cwd sets a directory inside the guest" '^/tmp$' "$VS" "$g" exec --cwd /tmp /bin/sh -c pwd
check_msg 1 "exec --cwd to a missing directory fails clearly" "cannot change to /nonexistent" \
	"$VS" "$g" exec --cwd /nonexistent /bin/true
check_msg 2 "exec --cwd must be absolute" "absolute" "$VS" "$g" exec --cwd tmp /bin/true
roots="VSERVER_CONFDIR=$VSERVER_CONFDIR VSERVER_VDIRBASE=$VSERVER_VDIRBASE VSERVER_RUNDIR=$VSERVER_RUNDIR VSERVER_CGROUP=$VSERVER_CGROUP VSERVER_HELPERDIR=$VSERVER_HELPERDIR VSERVER_BACKEND=$VSERVER_BACKEND"
envout=$(env -i $roots PATH=/usr/bin:/bin SECRET=hunter2 HOME=/home/admin TERM=xterm-256color \
	MALLOC_CHECK_=3 "$VS" "$g" exec /usr/bin/env | sort | tr '\n' ' ')
want="HOME=/root LOGNAME=root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm-256color USER=root "
cond "exec: the environment is the small known set (got: $envout)" test "$envout" = "$want"
envout=$(env -i $roots 'TERM=x$(reboot)' "$VS" "$g" exec /usr/bin/env | tr '\n' ' ')
cond "exec: a TERM with odd characters is not passed" not grep -q TERM <<<"$envout"
check_out "exec: standard input is passed" '^hello-stdin$' bash -c "echo hello-stdin | '$VS' '$g' exec cat"
sess=$("$VS" "$g" exec /bin/vs-probe session)
diag "session: $sess"
cond "exec: the command leads a new session" \
	bash -c "[[ '$sess' =~ sid=([0-9]+).*self=([0-9]+) ]] && [ \${BASH_REMATCH[1]} = \${BASH_REMATCH[2]} ]"
cond "exec: it has no controlling terminal" grep -q 'tty_nr=0 ctty=no' <<<"$sess"
if command -v script >/dev/null; then
	out=$(script -qec "'$VS' '$g' exec /bin/vs-probe session; '$VS' '$g' exec /bin/vs-probe tiocsti" /dev/null 2>&1 | tr -d '\r')
	diag "under a terminal: $(echo $out)"
	cond "exec from a terminal: still no controlling terminal in the guest" grep -q 'ctty=no' <<<"$out"
	cond "exec from a terminal: the guest cannot push input into it (TIOCSTI)" grep -q '^refused' <<<"$out"
	[ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null)" = 0 ] &&
		diag "note: this kernel disables TIOCSTI for everybody (legacy_tiocsti=0)"
else
	skip "exec from a terminal: no controlling terminal" "script(1) is not installed"
	skip "exec from a terminal: TIOCSTI refused" "script(1) is not installed"
fi
printf '/bin/vs-probe session\n/bin/vs-probe fds\ntty\nexit 5\n' | "$VS" "$g" enter >"$OUT.enter" 2>&1
rc=$?
out=$(tr -d '\r' <"$OUT.enter")
cond "enter: exit status of the shell is passed (5)" test "$rc" = 5
cond "enter: the shell runs on a fresh pty of the guest" grep -Eq '^/dev/pts/[0-9]+$' <<<"$out"
cond "enter: that pty is its controlling terminal" grep -q 'ctty=yes' <<<"$out"
cond "enter: no host descriptor reaches the guest" \
	bash -c "! grep -Eqx '[3-9]|[1-9][0-9]+' <<<\"\$(grep -Ex '[0-9]+' <<<'$out' | grep -vx 10)\""
caps=$("$VS" "$g" exec /bin/vs-probe caps | sed -n 's/^CapBnd:\t*//p')
diag "bounding set in the guest: $caps"
bit() { (( (16#$caps >> $1) & 1 )); }
cond "guest processes lack CAP_SYS_PTRACE (it would defeat 'not dumpable')" not bit 19
cond "guest processes lack CAP_SYS_ADMIN" not bit 21
cond "guest processes lack CAP_DAC_READ_SEARCH (open_by_handle_at)" not bit 2
# A scanner inside the guest watches for our helper processes while many
# execs run; it must never read their environment or descriptors.
canary=canary-$RANDOM$RANDOM
"$VS" "$g" exec /bin/sh -c "/bin/vs-probe scan 6 vserver $canary > /tmp/scan.out 2>&1 &" >/dev/null
for i in $(seq 150); do
	VS_CANARY=$canary "$VS" "$g" exec /bin/true 3</etc/hostname >/dev/null 2>&1
done
wait_until 10 test -s "$(vdir "$g")/tmp/scan.out"
scan=$(cat "$(vdir "$g")/tmp/scan.out" 2>/dev/null)
diag "scanner: $scan"
if grep -q '^seen 0 ' <<<"$scan"; then
	skip "the guest cannot read a joining helper's memory or fds" "the scanner never caught one (race window too small here)"
else
	cond "the guest cannot read a joining helper's memory or fds" grep -q 'leaked 0$' <<<"$scan"
fi
"$VS" "$g" exec sleep 100 >/dev/null 2>&1 & p=$!
sleep 0.5; kill -TERM "$p"; wait "$p"; rc=$?
cond "a signal to exec is passed on to the command (exit 143)" test "$rc" = 143
cond "... and the command is gone from the guest" wait_until 3 \
	bash -c "! '$VS' '$g' exec ps | grep -q 'sleep 100'"
check "stop" "$VS" "$g" stop
finish
