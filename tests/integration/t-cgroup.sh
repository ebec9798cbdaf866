# cgroup v2: limits where the host delegates controllers; a missing
# controller is reported, and a configuration that needs it fails to start.
. "$VS_TESTDIR/lib.sh"

g=$(gname l)
check "build" new_guest "$g"
C=$VSERVER_CONFDIR/$g
missing=
for c in memory pids cpu; do have_controller "$c" || missing="$missing $c"; done
diag "controllers missing on this host:${missing:- none}"
if [ -n "$missing" ]; then
	check_msg 0 "start warns about the missing controllers" "not available from the host" \
		"$VS" "$g" start
	check_msg 0 "status reports that limits are not enforced" "limits not enforced" "$VS" "$g" status
	check_json 0 "vserver-stat --json lists them" \
		".[] | select(.name == \"$g\") | .missing_controllers | length > 0" "$VSTAT" --json
	check "stop" "$VS" "$g" stop
fi
# a configuration that requires a limit
mkdir -p "$C/cgroup"
echo 64M >"$C/cgroup/memory.max"
if have_controller memory; then
	check "memory.max: start" "$VS" "$g" start
	cg=$(guest_cg "$g")
	cond "memory.max is applied ($(cat "$cg/memory.max" 2>/dev/null))" test "$(cat "$cg/memory.max")" = 67108864
	check "stop" "$VS" "$g" stop
else
	check_msg 1 "memory.max without the memory controller: start fails and says why" \
		"limits memory, but the host does not delegate" "$VS" "$g" start
	cond "... nothing is left running" not running "$g"
	cond "... nor a cgroup" not cg_dir_exists "$g"
	cond "... nor run state" test ! -e "$VSERVER_RUNDIR/$g.state"
fi
rm -rf "$C/cgroup"
mkdir -p "$C/rlimits"; echo 20 >"$C/rlimits/nproc"
if have_controller pids; then
	check "rlimits/nproc: start" "$VS" "$g" start
	cg=$(guest_cg "$g")
	if [ "$VS_BACKEND" = vx ] && "$VSB/tools/vlimit" --mask 2>/dev/null | grep -qw nproc; then
		# the kernel limits it per context (and counts the hits there)
		check_out "rlimits/nproc becomes the context's limit" '^nproc( +[0-9]+){3} +20 +20' \
			"$VSB/tools/vlimit" -c "$g"
	else
		cond "rlimits/nproc becomes pids.max" test "$(cat "$cg/pids.max")" = 20
	fi
	# counted from the host: inside, even ps could not fork any more
	"$VS" "$g" exec /bin/sh -c 'for i in $(seq 40); do sleep 30 & done 2>/dev/null; exit 0' >/dev/null 2>&1
	n=$(cg_procs "$g" | wc -l)
	cond "the guest cannot exceed it ($n processes with a limit of 20, 41 tried)" \
		test "$n" -le 20 -a "$n" -ge 10
	check "stop" "$VS" "$g" stop
else
	check_msg 1 "rlimits/nproc without the pids controller: start fails and says why" \
		"limits pids" "$VS" "$g" start
	cond "... and nothing is left" test ! -e "$VSERVER_RUNDIR/$g.state" -a -z "$(cg_procs "$g")"
fi
rm -rf "$C/rlimits"
mkdir -p "$C/cgroup"; echo "50000 100000" >"$C/cgroup/cpu.max"
if have_controller cpu; then
	check "cpu.max: start" "$VS" "$g" start
	cond "cpu.max is applied" test "$(cat "$(guest_cg "$g")/cpu.max")" = "50000 100000"
	check "stop" "$VS" "$g" stop
else
	check_msg 1 "cpu.max without the cpu controller: start fails" "limits cpu" "$VS" "$g" start
fi
rm -rf "$C/cgroup"
mkdir -p "$C/rlimits"; echo 64 >"$C/rlimits/nofile"
"$VS" "$g" start >"$OUT" 2>&1; rc=$?
if [ "$VS_BACKEND" = vx ] && grep -q "no per-context limits" "$OUT"; then
	skip "rlimits/nofile on vx" "this kernel has no per-context limits yet (set_rlimit)"
	cond "... and the start said so and left nothing" test "$rc" = 1 -a -z "$(cg_procs "$g")"
elif [ "$VS_BACKEND" = vx ]; then
	cond "rlimits/nofile: start" test "$rc" = 0
	check "stop" "$VS" "$g" stop
else
	cond "rlimits/nofile: start" test "$rc" = 0
	check_out "nofile applies to the guest's processes" '^64$' "$VS" "$g" exec /bin/sh -c 'ulimit -n'
	check "stop" "$VS" "$g" stop
fi
rm -rf "$C/rlimits"
if [ "$VS_BACKEND" = ns ]; then
	mkdir -p "$C/rlimits"; echo 100 >"$C/rlimits/nsock"
	check_msg 0 "a vx-only limit is reported as not enforced on the ns backend" \
		"not enforced: rlimits/nsock .*needs the vx kernel" "$VS" "$g" start
	check "stop" "$VS" "$g" stop
	rm -rf "$C/rlimits"
fi
check "the guest's processes are in its cgroup's leaf" bash -c "'$VS' '$g' start && test -n \"\$(cat '$(guest_cg "$g")/payload/cgroup.procs')\""
check_out "the guest sees its own cgroup as the root" '^0::/$' "$VS" "$g" exec cat /proc/self/cgroup
check "stop" "$VS" "$g" stop
finish
