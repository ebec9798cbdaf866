# A live limit change reaches the processes that enter later (exec, enter)
# until the next start; --save makes it stay (issue 16, item 7).
. "$VS_TESTDIR/lib.sh"

g=$(gname l)
check "build" new_guest "$g"
mkdir -p "$VSERVER_CONFDIR/$g/rlimits" && echo 200 >"$VSERVER_CONFDIR/$g/rlimits/nofile"
check "start with nofile 200" "$VS" "$g" start
check_out "exec sees 200" '^200$' "$VS" "$g" exec sh -c 'ulimit -n'
check "vserver NAME limit nofile 100 (live)" "$VS" "$g" limit nofile 100
check_out "a later exec sees 100" '^100$' "$VS" "$g" exec sh -c 'ulimit -n'
check_out "... and so does a process the init had already" '^Max open files +100 +100' \
	"$VS" "$g" exec sh -c 'cat /proc/1/limits'
check "restart" "$VS" "$g" restart
check_out "after a restart the configuration holds again (200)" '^200$' "$VS" "$g" exec sh -c 'ulimit -n'
check "limit nofile 150 --save" "$VS" "$g" limit nofile 150 --save
check_out "... applies at once" '^150$' "$VS" "$g" exec sh -c 'ulimit -n'
check "restart" "$VS" "$g" restart
check_out "... and stays" '^150$' "$VS" "$g" exec sh -c 'ulimit -n'
check "stop" "$VS" "$g" stop
finish
