# enter/exec sessions end in bounded time (issue 16, item 6): the end of
# the caller's input ends an interactive session; INT/TERM/HUP to the CLI
# are forwarded, and a command that ignores them (an interactive shell) is
# killed after a grace period.
. "$VS_TESTDIR/lib.sh"

g=$(gname s)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
# timeout's own exit status is 124 when it had to signal: the session
# must end before the outer bound (-k: its SIGKILL) is reached
secs() { local t0=$SECONDS; "$@" >/dev/null 2>&1; echo $((SECONDS - t0)); }
t=$(secs timeout -k 5 30 "$VS" "$g" enter </dev/null)
cond "enter </dev/null returns (after ${t}s)" test "$t" -lt 15
t=$(secs timeout -k 20 -s TERM 2 "$VS" "$g" enter < <(sleep 60))
cond "SIGTERM ends an enter whose shell ignores it (after ${t}s)" test "$t" -lt 15
t=$(secs timeout -k 20 -s INT 2 "$VS" "$g" exec sh -c 'trap "" INT TERM HUP; sleep 60')
cond "SIGINT ends an exec whose command ignores it (after ${t}s)" test "$t" -lt 15
t=$(secs timeout -k 20 -s HUP 2 "$VS" "$g" exec sh -c 'trap "" INT TERM HUP; sleep 60' </dev/null)
cond "SIGHUP likewise (after ${t}s)" test "$t" -lt 15
t=$(secs timeout -k 20 -s TERM 2 "$VS" "$g" exec sleep 60)
cond "a command that takes SIGTERM ends at once, without the grace (after ${t}s)" test "$t" -lt 4
check "the guest is still running" "$VS" "$g" status
check "stop" "$VS" "$g" stop
finish
