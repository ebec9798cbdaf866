# vserver-stat, vps, vkill, vwait.
. "$VS_TESTDIR/lib.sh"

g=$(gname w)
h=$(gname idle)
check "build" new_guest "$g" --context 777
check "build a second guest (stays stopped)" new_guest "$h"
check "start" "$VS" "$g" start
"$VS" "$g" exec /bin/sh -c 'sleep 1234 >/dev/null 2>&1 &' >/dev/null
line=$("$VSTAT" | grep " $g\$")
diag "vserver-stat: $line"
cond "vserver-stat has a line for the running guest" test -n "$line"
cond "... with its context id first" grep -Eq '^777 ' <<<"$line"
cond "... and at least two processes" test "$(awk '{print $2}' <<<"$line")" -ge 2
cond "... memory, CPU time, uptime and limit-hit columns" \
	grep -Eq '^777 +[0-9]+ +[0-9.]+[KMG]? +[0-9.]+s +[0-9.]+s +[0-9]+ +(ns|vx) ' <<<"$line"
cond "a stopped guest has no line" not grep -q " $h\$" <<<"$("$VSTAT")"
check_json 0 "vserver-stat --json: the running guest with its context, processes, backend" \
	"map(select(.name == \"$g\")) | length == 1 and .[0].context == 777 and .[0].processes >= 2 and (.[0].backend | test(\"^(ns|vx)\$\")) and .[0].init_pid > 0 and .[0].memory_bytes > 0" \
	"$VSTAT" --json
check_json 0 "... and not the stopped one" "map(select(.name == \"$h\")) == []" "$VSTAT" --json
spid=$(for p in $(cg_procs "$g"); do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'sleep 1234' && echo "$p"; done | head -1)
diag "guest process: $spid"
check_out "vps labels a guest process with context and name" "^ *$spid +777 $g " "$VPS" ax
check_out "vps labels host processes 0 MAIN" "^ *$$ +0 MAIN " "$VPS" ax
check_out "vps passes ps options" "CONTEXT" "$VPS" -- -eo pid,comm
check_msg 1 "vkill refuses a host process as a guest's" "not a process of guest" \
	"$VKILL" --xid "$g" -s TERM $$
cond "... which is still alive" alive $$
check "vkill a guest process by host pid" "$VKILL" -s TERM "$spid"
cond "... it is gone" wait_until 3 not alive "$spid"
"$VS" "$g" exec /bin/sh -c 'sleep 999 >/dev/null 2>&1 & sleep 998 >/dev/null 2>&1 &' >/dev/null
check "vkill --xid signals every process of the guest" "$VKILL" --xid 777 -s KILL
cond "... only the guest's processes died (the test itself lives)" alive $$
check_msg 1 "vkill of a stopped guest fails" "not running" "$VKILL" --xid "$h"
check "start again" "$VS" "$g" start
check_msg 2 "vwait --timeout on a running guest: TIMEOUT, exit 2" "^TIMEOUT$" "$VWAIT" --timeout 300ms "$g"
( sleep 1; "$VS" -q "$g" stop ) &
check_msg 0 "vwait returns FINISHED when the guest stops" "^FINISHED$" "$VWAIT" --timeout 30 "$g"
wait
check_msg 0 "vwait on a stopped guest returns at once" "^FINISHED$" "$VWAIT" "$g"
check "start again" "$VS" "$g" start
check_msg 1 "vwait --terminate stops it after the timeout: KILLED, exit 1" "^KILLED$" \
	"$VWAIT" --timeout 200ms --terminate "$g"
cond "... and it is stopped" not running "$g"
finish
