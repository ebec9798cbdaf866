# A live limit change reaches the processes that enter later (exec, enter)
# until the next start; --save makes it stay (issue 16, item 7).
. "$VS_TESTDIR/lib.sh"

VLIMIT=$VSB/tools/vlimit

g=$(gname l)
if [ "$VS_BACKEND" = vx ] && "$VLIMIT" --mask 2>/dev/null | grep -qw nofile; then
	# vx: rlimits/nofile is the context's limit, which the kernel counts
	# over all of the guest's processes (a live change reaches them all at
	# once); a process's own rlimit stays the default, so ulimit -n shows
	# nothing of it.  vlimit shows the context's.
	sees() { check_out "$1" "^nofile +[0-9]+ +[0-9]+ +[0-9]+ +$2 +$2" "$VLIMIT" -c "$g"; }
	init_sees() { sees "$@"; }
else
	sees() { check_out "$1" "^$2\$" "$VS" "$g" exec sh -c 'ulimit -n'; }
	init_sees() {
		check_out "$1" "^Max open files +$2 +$2" "$VS" "$g" exec sh -c 'cat /proc/1/limits'
	}
fi
check "build" new_guest "$g"
mkdir -p "$VSERVER_CONFDIR/$g/rlimits" && echo 200 >"$VSERVER_CONFDIR/$g/rlimits/nofile"
check "start with nofile 200" "$VS" "$g" start
sees "exec sees 200" 200
check "vserver NAME limit nofile 100 (live)" "$VS" "$g" limit nofile 100
sees "a later exec sees 100" 100
init_sees "... and so does a process the init had already" 100
check "restart" "$VS" "$g" restart
sees "after a restart the configuration holds again (200)" 200
check "limit nofile 150 --save" "$VS" "$g" limit nofile 150 --save
sees "... applies at once" 150
check "restart" "$VS" "$g" restart
sees "... and stays" 150
if [ "$VS_BACKEND" = ns ]; then
	# a value the kernel refuses for the guest's processes (a hard nofile
	# above fs.nr_open) names a real process of the guest: the message
	# once read the pid from freed memory
	over=$(($(cat /proc/sys/fs/nr_open) + 1))
	"$VS" "$g" limit nofile.hard "$over" >/dev/null 2>"$T/err"; rc=$?
	pid=$(sed -n 's/.*prlimit nofile on pid \([0-9-]*\):.*/\1/p' "$T/err")
	cond "a hard nofile above fs.nr_open is refused (exit 1)" test "$rc" = 1
	cond "... naming the guest's process ($pid) it failed on" \
		sh -c "[ -n '$pid' ] && [ '$pid' -gt 0 ] && grep -q '^NSpid:' /proc/'$pid'/status"
	sees "... and nothing changed (150)" 150
fi
if [ "$VS_BACKEND" = vx ] && "$VLIMIT" --mask >/dev/null 2>&1; then
	check_msg 1 "vlimit of a context that does not exist says so (not 'no limits set')" \
		"context 65000 does not exist" "$VLIMIT" -c 65000
fi
check "stop" "$VS" "$g" stop
finish
