# vserver-stat with many running guests: the per-guest reads are spread
# over threads (lib/status-all.c) from 64 guests on a machine with two or
# more CPUs; what it lists must be what runs, in name order, with a guest
# whose configuration turned bad listed with its problem and a guest whose
# init died left out.
. "$VS_TESTDIR/lib.sh"

n=66
diag "$(nproc) CPUs: $( [ "$(nproc)" -ge 2 ] && echo "the threaded pass runs" || echo "one CPU: the serial pass only")"
built=0
for i in $(seq -w 1 $n); do
	new_guest "$(gname "$i")" >/dev/null && "$VS" -q "$(gname "$i")" start >/dev/null 2>&1 &&
		built=$((built + 1))
done
cond "$n guests built and started" test "$built" = "$n"
bad=$(gname 10)
dead=$(gname 20)
chmod g+w "$VSERVER_CONFDIR/$bad"
dpid=$("$VS" "$dead" status --json 2>/dev/null | sed -n 's/.*"init_pid": *\([0-9]*\).*/\1/p')
cond "the init of $dead is known ($dpid)" test -n "$dpid"
kill -KILL "$dpid" 2>/dev/null
wait_until 10 not test -d "/proc/$dpid"

"$VSTAT" >"$T/out" 2>"$T/err"; rc=$?
cond "vserver-stat exits 1 (one guest has a problem)" test "$rc" = 1
names=$(awk 'NR > 1 {print $NF}' "$T/out" | grep "^$(gname '')" )
cond "it lists $((n - 1)) guests (all but the one whose init died)" test "$(wc -l <<<"$names")" = $((n - 1))
cond "... in name order" test "$names" = "$(sort <<<"$names")"
cond "... not the dead one" not grep -qx "$dead" <<<"$names"
cond "... the one with the bad configuration" grep -qx "$bad" <<<"$names"
cond "... with its problem" grep -q "$bad: .*writable by group" "$T/err"
ok_pids=1
for i in 01 33 $n; do
	want=$("$VS" "$(gname "$i")" status --json | sed -n 's/.*"init_pid": *\([0-9]*\).*/\1/p')
	got=$(awk -v g="$(gname "$i")" '$NF == g {print $1}' "$T/out")
	ctx=$("$VS" "$(gname "$i")" status --json | sed -n 's/.*"context": *\([0-9]*\).*/\1/p')
	[ -n "$want" ] && [ "$got" = "$ctx" ] || ok_pids=0
done
cond "... each row with the guest's own context id (first, middle, last)" test "$ok_pids" = 1
check_json 1 "vserver-stat --json: the same guests, each with its init" \
	"[.[] | select(.name | startswith(\"$(gname '')\"))] | length == $((n - 1)) and all(.init_pid > 0)" \
	"$VSTAT" --json
chmod g-w "$VSERVER_CONFDIR/$bad"
finish
