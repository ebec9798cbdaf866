# Attacks inside one guest: fork, memory, fd, socket, SysV/POSIX IPC bombs
# and a CPU spinner.  Each must stop at the guest's limit with the hit
# counted, while a second guest and the host keep working: the wall time of
# a small command in each is printed during every attack and checked against
# a generous bound (VS_ATTACK_BOUND_MS, default 10000 ms: software-emulated
# VMs are slow; the figures themselves are the result).  On ns, what cgroup
# v2 cannot stop is reported, not passed.  Every bomb (tests/integration/
# vs-bomb) is bounded in time and count and the guest is stopped at the end.
. "$VS_TESTDIR/lib.sh"

VLIMIT=$VSB/tools/vlimit
BOMB=$VSB/tests/integration/vs-bomb
HOLD=${VS_ATTACK_SECONDS:-8}
BOUND=${VS_ATTACK_BOUND_MS:-10000}
A=$(gname a)
B=$(gname b)

if [ "$VS_BACKEND" = ns ]; then
	for c in memory pids cpu; do
		have_controller "$c" || { skip "attacks on ns" "the host does not delegate the $c controller"; finish; exit 0; }
	done
	kmask=0
else
	mask=$("$VLIMIT" --mask 2>&1) || {
		skip "attacks on vx" "this kernel has no per-context limits: $mask"
		finish
		exit 0
	}
	kmask=${mask%% *}
	diag "kernel limit mask: $mask"
fi
in_mask() { [ $(( kmask & (1 << $1) )) != 0 ]; }

check "build the attacked guest" new_guest "$A"
check "build the bystander guest" new_guest "$B"
cp "$BOMB" "$(vdir "$A")/bin/vs-bomb"
C=$VSERVER_CONFDIR/$A
mkdir -p "$C/rlimits" "$C/limits"
echo 60 >"$C/rlimits/nproc"
echo 300 >"$C/rlimits/nofile"
echo 48M >"$C/limits/memory"
echo 20% >"$C/limits/cpu"
if [ "$VS_BACKEND" = vx ]; then
	echo 40 >"$C/rlimits/nsock"
	echo 256 >"$C/rlimits/shmem"		# pages: 1 MiB
	echo 64K >"$C/rlimits/msgqueue"	# bytes: 4 SysV queues of msgmnb 16 KiB
	echo 10 >"$C/rlimits/semary"
	echo 200 >"$C/rlimits/nsems"
else
	echo 40 >"$C/rlimits/nsock"		# reported as not enforced
fi
"$VS" "$A" start >"$OUT" 2>&1
cond "start the attacked guest with limits" running "$A"
sed 's/^/#   start: /' "$OUT"
check "start the bystander" "$VS" "$B" start

ms() {	# ms CMD...: wall time in milliseconds (prints it), status of CMD
	local s e rc
	s=$(date +%s%N)
	timeout 120 "$@" >/dev/null 2>&1; rc=$?
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
	return $rc
}
hits() {	# hits ROW: the hit counter of a limit row of guest A
	"$VS" "$A" limit "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $NF }'
}
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" "$T/bomb.out" | tail -n1; }

n0=$(cg_procs "$A" | wc -l)
base_b=$(ms "$VS" "$B" exec /bin/true)
base_h=$(ms ls /)
diag "baseline: bystander 'exec true' ${base_b} ms, host 'ls /' ${base_h} ms"

# attack KIND MAX [P]: runs the bomb in A, measures B and the host while
# it holds its limit, waits for its result
attack() {
	local kind=$1 max=$2 p=${3:-4} pid tb th rb rh
	[ "$VS_BACKEND" = vx ] && "$VLIMIT" -c "$A" --reset-hits >/dev/null 2>&1
	timeout $((HOLD + 120)) "$VS" "$A" exec /bin/vs-bomb "$kind" "$HOLD" "$max" "$p" >"$T/bomb.out" 2>&1 &
	pid=$!
	# measure once the limit is reached, or half-way when nothing stops it
	wait_until 60 grep -q '^started' "$T/bomb.out" || diag "$kind bomb: did not start"
	wait_until $((HOLD / 2)) grep -qE '^(reached|RESULT)' "$T/bomb.out" ||
		diag "$kind bomb: no refusal within $((HOLD / 2)) s: measuring anyway"
	tb=$(ms "$VS" "$B" exec /bin/true); rb=$?
	th=$(ms ls /); rh=$?
	wait "$pid"
	ATTACK_RC=$?
	diag "$kind bomb: $(grep RESULT "$T/bomb.out" || tail -n 3 "$T/bomb.out")"
	diag "$kind bomb: during it the bystander ran 'exec true' in ${tb} ms (baseline ${base_b}), the host 'ls /' in ${th} ms (baseline ${base_h}); bound ${BOUND} ms"
	cond "$kind bomb: the bystander guest keeps working (${tb} ms <= ${BOUND} ms)" test "$rb" = 0 -a "$tb" -le "$BOUND"
	cond "$kind bomb: the host keeps working (${th} ms <= ${BOUND} ms)" test "$rh" = 0 -a "$th" -le "$BOUND"
}

# ---- fork bomb: nproc (vx: the context, ns: pids.max) ----
attack fork 3000
made=$(field made)
cond "fork bomb: stopped at the limit (made $made processes, nproc 60)" test -n "$made" -a "${made:-9999}" -lt 60
cond "fork bomb: fork failed with EAGAIN ($(field errno))" test "$(field errno)" = EAGAIN
h=$(hits nproc)
cond "fork bomb: the hit is counted (nproc hits: $h)" test "${h:-0}" -gt 0 2>/dev/null
if [ "$VS_BACKEND" = vx ]; then
	xid=$(cat "$C/context")
	p=$(awk '$1 == "PROC:" { print $NF }' "/proc/virtual/$xid/limit" 2>/dev/null)
	cond "fork bomb: /proc/virtual/$xid/limit counts it too (PROC hits: $p)" test "${p:-0}" -gt 0 2>/dev/null
fi
gone() { [ "$(cg_procs "$A" | wc -l)" -le "$n0" ]; }
cond "fork bomb: nothing of it is left ($n0 processes before)" wait_until 10 gone

# ---- memory bomb: memory.max (both backends) ----
attack mem 400
made=$(field made)
cond "memory bomb: stopped at 48M (touched ${made} MiB of 400; killed by signal $(field killed))" \
	test -n "$made" -a "${made:-999}" -le 48
h=$(hits memory)
cond "memory bomb: the hit is counted (memory hits: $h)" test "${h:-0}" -gt 0 2>/dev/null

# ---- fd bomb: nofile (vx: whole context; ns: per process only) ----
attack fd 5000 4
made=$(field made)
if [ "$VS_BACKEND" = vx ] && in_mask 7; then
	cond "fd bomb: stopped at the context's limit (made $made in 4 processes, nofile 300)" \
		test -n "$made" -a "${made:-9999}" -le 300
	cond "fd bomb: EMFILE or ENFILE ($(field errno))" grep -qE 'errno=E[MN]FILE' "$T/bomb.out"
	h=$(hits nofile)
	cond "fd bomb: the hit is counted (nofile hits: $h)" test "${h:-0}" -gt 0 2>/dev/null
elif [ "$VS_BACKEND" = vx ]; then
	skip "fd bomb stopped per context" "nofile is not in this kernel's limit mask ($kmask)"
else
	cond "fd bomb: each process stops at EMFILE ($(field errno))" test "$(field errno)" = EMFILE
	diag "ns cannot limit the guest's descriptors as a whole: 4 processes held $made (nofile 300 each)"
fi

# ---- socket bomb: nsock (vx only) ----
attack sock 5000 4
made=$(field made)
if [ "$VS_BACKEND" = vx ] && in_mask 16; then
	cond "socket bomb: stopped at nsock 40 (made $made, $(field errno))" test -n "$made" -a "${made:-9999}" -le 40
	h=$(hits nsock)
	cond "socket bomb: the hit is counted (nsock hits: $h)" test "${h:-0}" -gt 0 2>/dev/null
elif [ "$VS_BACKEND" = vx ]; then
	skip "socket bomb" "nsock is not in this kernel's limit mask ($kmask)"
else
	diag "ns cannot stop a socket bomb per guest: $made sockets in 4 processes (only nofile per process bounds it)"
fi

# ---- SysV shared memory, semaphores, POSIX message queues ----
# ipc KIND MAX LIMIT-NAME ID BOUND WHAT: a SysV IPC bomb
ipc() {
	local kind=$1 max=$2 lim=$3 id=$4 bound=$5 what=$6 made h
	attack "$kind" "$max"
	made=$(field made)
	if [ "$VS_BACKEND" = vx ] && in_mask "$id"; then
		cond "$kind bomb: stopped at $lim (made $made $what, at most $bound)" \
			test -n "$made" -a "${made:-9999}" -le "$bound"
		cond "$kind bomb: refused with ENOSPC ($(field errno))" test "$(field errno)" = ENOSPC
		h=$(hits "$lim")
		cond "$kind bomb: the hit is counted ($lim hits: $h)" test "${h:-0}" -gt 0 2>/dev/null
	elif [ "$VS_BACKEND" = vx ]; then
		skip "$kind bomb" "$lim is not in this kernel's limit mask ($kmask)"
	else
		diag "ns cannot stop a SysV $kind bomb per guest (the guest's IPC namespace has the host's defaults): $made $what of $max, $(field errno)"
	fi
}
ipc shm 500 shmem 19 16 "segments of 64 KiB (shmem 256 pages)"
ipc sem 500 semary 20 10 "arrays of 8 (semary 10)"
ipc msg 500 msgqueue 12 4 "queues of 16 KiB (msgqueue 64K)"

# ---- CPU spinner: cpu.max 20% ----
attack cpu 2
cpus=$(field cpus)
cond "CPU spinner: held to the 20% cap (2 spinners used $cpus CPUs)" \
	awk -v c="${cpus:-9}" 'BEGIN { exit !(c <= 0.30) }'
h=$(hits cpu)
cond "CPU spinner: throttling is counted (cpu hits: $h)" test "${h:-0}" -gt 0 2>/dev/null

check "the attacked guest still answers" "$VS" "$A" exec /bin/true
check_out "vserver-stat shows its hits" "$A\$" "$VSTAT"
"$VS" "$A" limit >"$OUT" 2>&1 && sed 's/^/#   /' "$OUT"
check "stop the attacked guest" "$VS" "$A" stop
check "stop the bystander" "$VS" "$B" stop
finish
