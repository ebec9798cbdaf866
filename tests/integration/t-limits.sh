# Limits: configuration applied on start, shown by status / limit /
# vserver-stat, changed live and saved, what the backend does not enforce
# reported.  The attacks are in t-limits-attack.sh.
. "$VS_TESTDIR/lib.sh"

VLIMIT=$VSB/tools/vlimit
g=$(gname a)
check "build" new_guest "$g"
C=$VSERVER_CONFDIR/$g
cgdir() { echo "$(guest_cg "$1")"; }

# bad values are refused before anything runs
mkdir -p "$C/rlimits" "$C/limits"
echo 10K >"$C/rlimits/nproc"
check_msg 1 "a count with a size suffix is refused" "rlimits/nproc: '10K' is not a number" "$VS" "$g" start
echo 100 >"$C/rlimits/nproc"
echo 2000 >"$C/rlimits/nofile.soft"; echo 1000 >"$C/rlimits/nofile.hard"
check_msg 1 "soft above hard is refused" "soft limit \\(2000\\) is above the hard limit" "$VS" "$g" start
rm -f "$C/rlimits/nofile.soft" "$C/rlimits/nofile.hard" "$C/rlimits/nproc"
echo 5% >"$C/limits/cpu"; echo 1 >"$C/limits/cpu-weight"
mkdir -p "$C/cgroup"; echo "10000 100000" >"$C/cgroup/cpu.max"
check_msg 1 "limits/cpu together with cgroup/cpu.max is refused" "both set" "$VS" "$g" start
rm -rf "$C/cgroup" "$C/limits"
cond "... and nothing was started" not running "$g"

# per-process Linux limits (both backends: on vx the kernel's limit mask
# decides, the others are inherited from the init)
echo 256 >"$C/rlimits/nofile.soft"; echo 512 >"$C/rlimits/nofile.hard"
echo 64K >"$C/rlimits/memlock"
echo 1000 >"$C/rlimits/nsock"
"$VS" "$g" start >"$OUT" 2>&1; rc=$?
if [ "$VS_BACKEND" = vx ] && grep -q "no per-context limits" "$OUT"; then
	skip "per-context limits on vx" "this kernel has no rlimit commands: $(head -n1 "$OUT")"
	cond "... and the start failed, leaving nothing" test "$rc" = 1 -a -z "$(cg_procs "$g")"
	rm -rf "$C/rlimits"
	finish
	exit 0
fi
cond "start with limits (rc $rc)" test "$rc" = 0
if [ "$VS_BACKEND" = ns ]; then
	cond "start warns that nsock is not enforced on ns" grep -q "not enforced: rlimits/nsock" "$OUT"
	check_out "status repeats it" "warning: not enforced: rlimits/nsock" "$VS" "$g" status
	check_out "ulimit -n inside is the configured soft limit" '^256$' "$VS" "$g" exec /bin/sh -c 'ulimit -n'
	check_out "ulimit -Hn inside is the hard limit" '^512$' "$VS" "$g" exec /bin/sh -c 'ulimit -Hn'
	check_out "ulimit -l inside is 64 KiB" '^64$' "$VS" "$g" exec /bin/sh -c 'ulimit -l'
	check_out "limit shows nofile per-process with its values" \
		'^nofile +per-process +- +- +- +256 +512' "$VS" "$g" limit
	# live change: every process of the guest, now
	check "limit nofile 300 (live)" "$VS" "$g" limit nofile 300
	init=$(awk '/^init_pid/ {print $2}' "$VSERVER_RUNDIR/$g.state" 2>/dev/null)
	[ -n "$init" ] || init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
	cond "... the guest's init has it (pid $init)" grep -Eq '^Max open files +300 +300' "/proc/$init/limits"
	cond "... not saved without --save" test "$(cat "$C/rlimits/nofile.soft")" = 256
	check "limit nofile.soft 200 --save" "$VS" "$g" limit nofile.soft 200 --save
	cond "... saved in rlimits/nofile.soft" test "$(cat "$C/rlimits/nofile.soft")" = 200
	cond "... and applied" grep -Eq '^Max open files +200 +300' "/proc/$init/limits"
	check_msg 1 "a limit ns cannot enforce is refused live" "cannot be enforced" "$VS" "$g" limit dentry 100
	check_msg 2 "a bad value is a usage error" "not a number" "$VS" "$g" limit nofile lots
	check_msg 2 "an unknown limit is a usage error" "unknown limit" "$VS" "$g" limit sockets 5
	check_msg 1 "a saved value that conflicts is taken back" "not saved" \
		"$VS" "$g" limit nofile.hard 100 --save
	cond "... the file is unchanged" test "$(cat "$C/rlimits/nofile.hard")" = 512
else
	check_out "vlimit shows nofile as a context limit" '^nofile +[0-9]+ +[0-9]+ +[0-9]+ +256 +512' "$VLIMIT" -c "$g"
	check_out "limit shows nofile via the context" '^nofile +context' "$VS" "$g" limit
	check "limit nofile 300 (live)" "$VS" "$g" limit nofile 300
	check_out "... vlimit sees it" '^nofile +[0-9]+ +[0-9]+ +[0-9]+ +300 +300' "$VLIMIT" -c "$g"
	check "vlimit -S --nofile 100" "$VLIMIT" -c "$g" -S --nofile 100
	check_out "... only the soft limit changed" '^nofile +[0-9]+ +[0-9]+ +[0-9]+ +100 +300' "$VLIMIT" -c "$g"
	check_out "vlimit -a lists the accounting-only ids" '^semary' "$VLIMIT" -c "$g" -a
	check "vlimit --reset-hits" "$VLIMIT" -c "$g" --reset-hits
	check_msg 2 "vlimit: a bad value is a usage error" "not a number" "$VLIMIT" -c "$g" --nproc x
fi
check_json 0 "limit --json is an array of rows, nofile among them" \
	'type == "array" and (map(.name) | index("nofile")) != null and all(.[]; has("via") and has("hits"))' \
	"$VS" "$g" limit --json
check_json 0 "limit --json nofile: only that row" 'length == 1 and .[0].name == "nofile"' \
	"$VS" "$g" limit nofile --json
check_json 0 "vserver-stat --json carries the limits" \
	".[] | select(.name == \"$g\") | .limits | map(.name) | index(\"nofile\") != null" "$VSTAT" --json
check_out "vserver-stat shows the HITS column" 'HITS' "$VSTAT"
check "stop" "$VS" "$g" stop
check_msg 3 "limit on a stopped guest needs --save" "not running" "$VS" "$g" limit nofile 100
check "limit --save on a stopped guest writes the configuration" "$VS" "$g" limit nproc 50 --save
cond "... rlimits/nproc is 50" test "$(cat "$C/rlimits/nproc")" = 50
check_out "limit shows configured values of a stopped guest" '^nproc .* 50 +50' "$VS" "$g" limit
rm -rf "$C/rlimits"

# memory and CPU through cgroup v2, including the token bucket
if have_controller memory && have_controller cpu && have_controller pids; then
	mkdir -p "$C/limits" "$C/sched"
	echo 64M >"$C/limits/memory"; echo 48M >"$C/limits/memory-soft"
	echo 1 >"$C/sched/fill-rate"; echo 4 >"$C/sched/interval"; echo 100 >"$C/sched/tokens-max"
	echo 50 >"$C/limits/cpu-weight"
	"$VS" "$g" start >"$OUT" 2>&1
	cond "start with memory and token-bucket settings" running "$g"
	cond "... sched/tokens-max is reported as not applied" grep -q "not enforced: sched/tokens-max" "$OUT"
	cg=$(cgdir "$g")
	cond "memory.max = 64M" test "$(cat "$cg/memory.max")" = 67108864
	cond "memory.high = 48M" test "$(cat "$cg/memory.high")" = 50331648
	cond "fill-rate 1 / interval 4 = cpu.max 25000 100000" test "$(cat "$cg/cpu.max")" = "25000 100000"
	cond "cpu.weight = 50" test "$(cat "$cg/cpu.weight")" = 50
	check_out "status shows the memory row" '^ +memory +cgroup' "$VS" "$g" status
	if [ "$VS_BACKEND" = vx ]; then
		# a memory-limited vx guest gets virt_mem: it sees its limit
		check_out "vx: /proc/meminfo inside shows the 64M limit as MemTotal" \
			'^MemTotal: +65536 kB' "$VS" "$g" exec cat /proc/meminfo
	fi
	check "limit cpu 50% (live)" "$VS" "$g" limit cpu 50%
	cond "... cpu.max 50000 100000" test "$(cat "$cg/cpu.max")" = "50000 100000"
	check "limit memory 32M (live)" "$VS" "$g" limit memory 32M
	cond "... memory.max" test "$(cat "$cg/memory.max")" = 33554432
	check "limit nproc 30 (live)" "$VS" "$g" limit nproc 30
	if [ "$VS_BACKEND" = vx ] && "$VLIMIT" --mask 2>/dev/null | grep -qw nproc; then
		check_out "... the context's limit (the kernel counts it)" '^nproc +[0-9]+ +[0-9]+ +[0-9]+ +30 +30' "$VLIMIT" -c "$g"
	else
		cond "... pids.max" test "$(cat "$cg/pids.max")" = 30
	fi
	check_msg 1 "limit cpu --save conflicting with sched/ is taken back" "not saved" \
		"$VS" "$g" limit cpu 20% --save
	cond "... nothing was written" test ! -e "$C/limits/cpu"
	check "stop" "$VS" "$g" stop
	rm -rf "$C/limits" "$C/sched"
else
	skip "memory and CPU limits" "the host does not delegate memory, cpu and pids controllers"
fi
finish
