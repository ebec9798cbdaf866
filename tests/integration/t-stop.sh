# stop ends every process — stopped, forking and zombie ones too — waits
# until none is left, leaves no mount behind; killing the command at any
# point and running it again converges.
. "$VS_TESTDIR/lib.sh"

g=$(gname s)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
pidns=$(stat -L -c %i "/proc/$init/ns/pid")
mntns=$(stat -L -c %i "/proc/$init/ns/mnt")
check "a stopped process" "$VS" "$g" exec /bin/sh -c 'sleep 1000 & kill -STOP $!'
check "a process that keeps forking" "$VS" "$g" exec /bin/sh -c \
	'(while :; do sleep 0.05 & done) >/dev/null 2>&1 &'
check "a zombie (its parent never reaps)" "$VS" "$g" exec /bin/sh -c \
	'sh -c "sleep 0.1 & exec sleep 1000" >/dev/null 2>&1 &'
sleep 0.6
states=$(for p in $(cg_procs "$g"); do awk '{print $3}' "/proc/$p/stat" 2>/dev/null; done | sort | uniq -c | tr '\n' ' ')
diag "process states before stop: $states"
cond "there is a stopped process" grep -q T <<<"$states"
zombies=$("$VS" "$g" exec /bin/sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l')
cond "there is a zombie" test "${zombies:-0}" -ge 1
check "stop" "$VS" "$g" stop
cond "no process is left in its cgroup" test -z "$(cg_procs "$g")"
cond "its cgroup is removed" not cg_dir_exists "$g"
# The ended init is the host's init's child (no monitor reaps it): until
# that one reaps, it is a zombie that still names the namespace; it runs
# nothing and holds no mount, so only live processes count.
left=0
for f in /proc/[0-9]*/ns/pid; do
	p=${f#/proc/}; p=${p%%/*}
	[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
	[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$pidns" ] && left=$((left + 1))
done
cond "no live process is left in its pid namespace" test "$left" = 0
left=0
for f in /proc/[0-9]*/ns/mnt; do
	[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$mntns" ] && left=$((left + 1))
done
cond "its mount namespace is gone (nothing mounted is left)" test "$left" = 0
cond "the guest root is mounted nowhere" not mounted_anywhere "$(vdir "$g")"
cond "no run state is left" test ! -e "$VSERVER_RUNDIR/$g.state"

# SIGKILL of "start" at any point, then "stop": nothing may remain.
for d in 0 0.002 0.005 0.01 0.02 0.04 0.08 0.15; do
	"$VS" -q "$g" start >/dev/null 2>&1 & p=$!
	sleep "$d"; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
	"$VS" -q "$g" stop >"$OUT" 2>&1; rc=$?
	if [ $rc = 0 ] && [ -z "$(cg_procs "$g")" ] && ! cg_dir_exists "$g" &&
	   [ ! -e "$VSERVER_RUNDIR/$g.state" ] && ! running "$g"; then
		ok "start killed after ${d}s, then stop: nothing left"
	else
		nok "start killed after ${d}s, then stop: nothing left" "stop exit $rc" \
			"$(cat "$OUT")" "procs: $(cg_procs "$g")"
	fi
done
# SIGKILL of "start", then "start" again: exactly one running guest.
for d in 0.005 0.02 0.08; do
	"$VS" -q "$g" start >/dev/null 2>&1 & p=$!
	sleep "$d"; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
	"$VS" -q "$g" start >"$OUT" 2>&1; rc=$?
	n=$(cg_procs "$g" | wc -l)
	if [ $rc = 0 ] && running "$g" && [ "$n" = 1 ]; then
		ok "start killed after ${d}s, then start: one running guest"
	else
		nok "start killed after ${d}s, then start: one running guest" "exit $rc, $n processes" "$(cat "$OUT")"
	fi
	"$VS" -q "$g" stop >/dev/null 2>&1
done
# SIGKILL of "stop" at any point, then "stop" again.
for d in 0 0.005 0.02 0.05; do
	"$VS" -q "$g" start >/dev/null 2>&1
	"$VS" "$g" exec /bin/sh -c 'sleep 1000 & sleep 1000 &' >/dev/null 2>&1
	"$VS" -q "$g" stop >/dev/null 2>&1 & p=$!
	sleep "$d"; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
	"$VS" -q "$g" stop >"$OUT" 2>&1; rc=$?
	if [ $rc = 0 ] && [ -z "$(cg_procs "$g")" ] && ! cg_dir_exists "$g" && ! running "$g"; then
		ok "stop killed after ${d}s, then stop again: nothing left"
	else
		nok "stop killed after ${d}s, then stop again: nothing left" "exit $rc" "$(cat "$OUT")"
	fi
done
# The guest halting itself: no process watches it; the next command that
# looks at it (here: status) tidies up.
"$VS" -q "$g" start >/dev/null 2>&1
"$VS" "$g" exec /bin/sh -c 'kill -TERM 1' >/dev/null 2>&1
cond "a guest that stops by itself is seen as stopped" wait_until 10 not running "$g"
cond "... and its cgroup and state are removed" wait_until 5 not cg_dir_exists "$g"
check "a guest can be deleted after stop (no busy mounts)" "$VS" "$g" delete
finish
