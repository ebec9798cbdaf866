# One lock per guest: concurrent commands give one clear result.
. "$VS_TESTDIR/lib.sh"

g=$(gname k)
check "build" new_guest "$g"
pids=()
for i in 1 2 3 4 5; do "$VS" "$g" start >"$OUT.$i" 2>&1 & pids+=($!); done
rcs=
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
cond "five concurrent starts all exit 0 ($rcs)" test "$rcs" = 00000
cond "exactly one of them started it, the others say it runs already" \
	test "$(cat "$OUT".[1-5] | grep -c 'already running')" = 4
cond "exactly one guest init exists" test "$(cg_procs "$g" | wc -l)" = 1
check "stop" "$VS" "$g" stop
# starts and stops racing: the end state is consistent either way
for round in 1 2 3; do
	"$VS" -q "$g" start >/dev/null 2>&1 & a=$!
	"$VS" -q "$g" stop >/dev/null 2>&1 & b=$!
	"$VS" -q "$g" start >/dev/null 2>&1 & c=$!
	wait $a $b $c
	if running "$g"; then
		n=$(cg_procs "$g" | wc -l)
		cond "race $round: running with one init" test "$n" = 1
	else
		cond "race $round: stopped with nothing left" test -z "$(cg_procs "$g")" -a ! -e "$VSERVER_RUNDIR/$g.state"
	fi
done
check "stop" "$VS" "$g" stop
cond "the run directory is root's alone" test "$(stat -c %a "$VSERVER_RUNDIR")" = 700
# A lock file exists only while a command holds it (the holder removes it).
cond "... and after stop no lock file (nor anything else) of the guest is left" \
	test -z "$(ls -A "$VSERVER_RUNDIR" | grep "^$g\.")"
# many commands queueing on one lock that each holder removes: still one guest
pids=()
for i in 1 2 3 4 5 6; do
	if [ $((i % 2)) = 1 ]; then "$VS" -q "$g" start >/dev/null 2>&1 & else "$VS" -q "$g" stop >/dev/null 2>&1 & fi
	pids+=($!)
done
wait "${pids[@]}"
"$VS" -q "$g" start >/dev/null 2>&1
cond "starts and stops queueing on a removed lock: one init" test "$(cg_procs "$g" | wc -l)" = 1
check "stop" "$VS" "$g" stop
cond "... and no lock file is left" test ! -e "$VSERVER_RUNDIR/$g.lock"
# A guest called "network" has its own lock, not the global address lock.
check "a guest called network" new_guest network
check "... starts" "$VS" network start
check "... stops" "$VS" network stop
cond "... and leaves no network.lock behind (the global lock is .network.lock)" \
	test ! -e "$VSERVER_RUNDIR/network.lock"
# two builds of one new name
b=$(gname twin)
GUESTS+=("$b")
"$VS" -q "$b" build -m busybox >"$OUT.a" 2>&1 & p1=$!
"$VS" -q "$b" build -m busybox >"$OUT.b" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
cond "two concurrent builds of one name: one succeeds, one fails ($r1 $r2)" \
	test "$((r1 + r2))" = 1
cond "... the loser says the guest exists" grep -qs "exists already" "$OUT.a" "$OUT.b"
check "... and the guest works" "$VS" "$b" start
check "stop" "$VS" "$b" stop
finish
