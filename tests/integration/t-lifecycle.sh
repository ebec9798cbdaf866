# build, start, status, exec, stop, restart, delete of a busybox guest.
. "$VS_TESTDIR/lib.sh"

g=$(gname a)
check "build a busybox guest" new_guest "$g"
cond "configuration has a context id" test -s "$VSERVER_CONFDIR/$g/context"
cond "configuration points at the guest root (vdir link)" \
	test "$(readlink "$VSERVER_CONFDIR/$g/vdir")" = "$(vdir "$g")"
cond "guest root has the static busybox" test -x "$(vdir "$g")/bin/busybox"
cond "guest root has /sbin/init" test -L "$(vdir "$g")/sbin/init"
cond "no incomplete mark after a good build" test ! -e "$VSERVER_CONFDIR/$g/incomplete"
check_rc 3 "status of a stopped guest exits 3" "$VS" "$g" status
check "start" "$VS" "$g" start
check_rc 0 "status of a running guest exits 0" "$VS" "$g" status
check_out "status names backend, context and processes" "running: backend $VS_BACKEND, context [0-9]+, init pid [0-9]+, [0-9]+ process" \
	"$VS" "$g" status
check_msg 0 "a second start says it runs already and exits 0" "already running" "$VS" "$g" start
check_out "exec runs a command inside" "^inside-$g\$" "$VS" "$g" exec /bin/sh -c "echo inside-\$(hostname)"
check_rc 42 "exec passes the command's exit status" "$VS" "$g" exec /bin/sh -c 'exit 42'
check_rc 127 "exec of a missing command exits 127" "$VS" "$g" exec /no/such/command
check_msg 127 "... and says why" "cannot execute /no/such/command" "$VS" "$g" exec /no/such/command
check_out "the guest is PID-isolated (its init is pid 1)" "^ *1 " "$VS" "$g" exec ps -o pid,comm
check_out "the guest has its own host name" "^$g\$" "$VS" "$g" exec hostname
check "the guest cannot see the host's files" "$VS" "$g" exec /bin/sh -c '! test -e /etc/debian_version'
init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
ppid=$(awk '{print $4}' "/proc/$init/stat" 2>/dev/null)
cond "no host-side process watches the guest (its init's parent is not a vserver process)" \
	test -n "$ppid" -a "$(cat "/proc/$ppid/comm" 2>/dev/null)" != vserver-monitor -a \
	"$(cat "/proc/$ppid/comm" 2>/dev/null)" != vserver
cond "... and no console log is written" test ! -e "$VSERVER_RUNDIR/$g.log"
check "stop" "$VS" "$g" stop
check_rc 3 "status after stop exits 3" "$VS" "$g" status
cond "nothing of the guest is left in the run directory" \
	test -z "$(ls -A "$VSERVER_RUNDIR" | grep "^$g\.")"
# apps/init/monitor: a monitor logs the console and how the init ended
touch "$VSERVER_CONFDIR/$g/apps/init/monitor"
printf '/bin/sh\n-c\necho console-of-$(hostname)\n' >"$VSERVER_CONFDIR/$g/apps/init/cmd.start.m"
mv "$VSERVER_CONFDIR/$g/apps/init/cmd.start" "$VSERVER_CONFDIR/$g/apps/init/cmd.start.orig"
mv "$VSERVER_CONFDIR/$g/apps/init/cmd.start.m" "$VSERVER_CONFDIR/$g/apps/init/cmd.start"
check "start with apps/init/monitor" "$VS" "$g" start
init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
ppid=$(awk '{print $4}' "/proc/$init/stat" 2>/dev/null)
cond "... a monitor is the init's parent" test "$(cat "/proc/$ppid/comm" 2>/dev/null)" = vserver-monitor
cond "... which logs the console" wait_until 5 grep -qx "console-of-$g" "$VSERVER_RUNDIR/$g.log"
check "stop" "$VS" "$g" stop
cond "... the log says how the init ended" grep -q "the guest's init exited with status 0" \
	"$VSERVER_RUNDIR/$g.log"
# (a zombie until the host's PID 1 reaps it: some build hosts' never does)
ended() { ! alive "$1" || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
cond "... the monitor is gone" wait_until 5 ended "$ppid"
rm "$VSERVER_CONFDIR/$g/apps/init/monitor"
mv "$VSERVER_CONFDIR/$g/apps/init/cmd.start.orig" "$VSERVER_CONFDIR/$g/apps/init/cmd.start"
check "start without the monitor again" "$VS" "$g" start
cond "... removes the old console log" test ! -e "$VSERVER_RUNDIR/$g.log"
check "stop" "$VS" "$g" stop
check_msg 0 "stop of a stopped guest exits 0" "not running" "$VS" "$g" stop
check_msg 1 "exec in a stopped guest fails clearly" "not running" "$VS" "$g" exec /bin/true
check "restart of a stopped guest starts it" "$VS" "$g" restart
pid1=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
check "restart of a running guest" "$VS" "$g" restart
pid2=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
cond "restart made a new init" test -n "$pid1" -a -n "$pid2" -a "$pid1" != "$pid2"
check_msg 1 "delete refuses a running guest" "is running" "$VS" "$g" delete
check "delete --force stops and deletes it" "$VS" "$g" delete --force
cond "its configuration is gone" test ! -e "$VSERVER_CONFDIR/$g"
cond "its root is gone" test ! -e "$(vdir "$g")"
cond "its cgroup is gone" not cg_dir_exists "$g"
cond "nothing of it is left in the run directory" \
	test -z "$(ls -A "$VSERVER_RUNDIR" | grep "^$g\.")"
check_msg 1 "the deleted guest does not exist any more" "does not exist" "$VS" "$g" start
finish
