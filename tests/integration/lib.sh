# Shared by the integration tests (sourced).  Each test prints "ok - ...",
# "not ok - ..." or "ok - ... # SKIP reason"; tests/integration/run numbers
# them.  Every test file ends with "finish".
set -u

VSB=$VS_BUILDDIR
VS=$VSB/tools/vserver
VSTAT=$VSB/tools/vserver-stat
VPS=$VSB/tools/vps
VKILL=$VSB/tools/vkill
VWAIT=$VSB/tools/vwait
VBOOT=$VSB/tools/vserver-boot
VINFO=$VSB/tools/vserver-info
PROBE=$VSB/tests/integration/vs-probe
TESTNAME=$(basename "$0" .sh)
TESTNAME=${TESTNAME#t-}
OUT=$T/out.$TESTNAME
GUESTS=()

ok() { echo "ok - $*"; }
nok() {
	echo "not ok - $1"
	shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip() { echo "ok - $1 # SKIP $2"; }
diag() { echo "# $*"; }

# check DESC CMD...: passes when CMD exits 0
check() {
	local d=$1; shift
	if "$@" >"$OUT" 2>&1; then ok "$d"; else nok "$d" "command: $*" "$(tail -n 15 "$OUT" | cut -c1-300)"; fi
}
# check_rc N DESC CMD...: passes when CMD exits N
check_rc() {
	local want=$1 d=$2 rc; shift 2
	"$@" >"$OUT" 2>&1; rc=$?
	if [ "$rc" = "$want" ]; then ok "$d"; else
		nok "$d" "command: $*" "exit status $rc, expected $want" "$(tail -n 15 "$OUT" | cut -c1-300)"; fi
}
# check_fail DESC CMD...: passes when CMD fails (any non-zero status)
check_fail() {
	local d=$1 rc; shift
	"$@" >"$OUT" 2>&1; rc=$?
	if [ "$rc" != 0 ]; then ok "$d"; else nok "$d" "command: $*" "succeeded, expected a failure"; fi
}
# check_refused DESC REGEX CMD...: passes when CMD fails and says why
# (REGEX: the refusal, e.g. its errno's message) — a missing program or
# any other failure does not count as a refusal
check_refused() {
	local d=$1 re=$2 rc; shift 2
	"$@" >"$OUT" 2>&1; rc=$?
	if [ "$rc" != 0 ] && grep -Eq -- "$re" "$OUT"; then ok "$d"; else
		nok "$d" "command: $*" "exit $rc, expected a failure saying /$re/ in:" "$(tail -n 15 "$OUT" | cut -c1-300)"; fi
}
# check_out DESC REGEX CMD...: passes when CMD exits 0 and its output matches
check_out() {
	local d=$1 re=$2; shift 2
	if "$@" >"$OUT" 2>&1 && grep -Eq -- "$re" "$OUT"; then ok "$d"; else
		nok "$d" "command: $*" "expected /$re/ in:" "$(tail -n 15 "$OUT" | cut -c1-300)"; fi
}
# check_msg N DESC REGEX CMD...: exit status N and message matching REGEX
check_msg() {
	local want=$1 d=$2 re=$3 rc; shift 3
	"$@" >"$OUT" 2>&1; rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$OUT"; then ok "$d"; else
		nok "$d" "command: $*" "exit $rc (expected $want), expected /$re/ in:" "$(tail -n 15 "$OUT" | cut -c1-300)"; fi
}
# check_json N DESC FILTER CMD...: CMD exits N and its output is JSON for
# which the jq FILTER is true (jq parses it: invalid JSON fails)
check_json() {
	local want=$1 d=$2 f=$3 rc; shift 3
	if ! command -v jq >/dev/null; then skip "$d" "jq not installed (scripts/install-deps)"; return; fi
	"$@" >"$OUT" 2>"$OUT.err"; rc=$?
	if [ "$rc" = "$want" ] && jq -e "$f" <"$OUT" >/dev/null 2>&1; then ok "$d"; else
		nok "$d" "command: $*" "exit $rc (expected $want), expected jq '$f' true on:" \
			"$(head -c 1500 "$OUT")" "$(tail -n 5 "$OUT.err")"; fi
}
# cond DESC TEST...: passes when the shell test is true
cond() {
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d" "condition failed: $*"; fi
}

# oci_devices_ok: vserver-oci can honour linux.resources.devices here (the
# cgroup v1 devices controller, or an eBPF device filter on cgroup v2: its
# features say which); engines always send device rules
oci_devices() { "$VSB/tools/vserver-oci" features 2>/dev/null | sed -n 's/.*"org.vserver.devices": *"\(.*\)",*$/\1/p'; }
oci_devices_ok() { case "$(oci_devices)" in v1|ebpf) return 0;; esac; return 1; }
# the skip reason where it cannot, with the runtime's own
oci_no_devices() { echo "vserver-oci cannot enforce the engines' linux.resources.devices here ($(oci_devices))"; }

# alive PID: the process exists
alive() { kill -0 "$1" 2>/dev/null; }

# not CMD...: inverts CMD's status (for cond)
not() { ! "$@"; }

# A unique guest name for this test file.
gname() { echo "${TESTNAME}-$1"; }

# new_guest NAME [BUILD-OPTIONS...]: a busybox guest (removed by finish)
new_guest() {
	local n=$1; shift
	GUESTS+=("$n")
	"$VS" -q "$n" build -m busybox "$@" >"$OUT" 2>&1 || {
		diag "build of $n failed:"; sed 's/^/#   /' "$OUT"; return 1; }
	cp "$PROBE" "$VSERVER_VDIRBASE/$n/bin/vs-probe"
}

vdir() { echo "$VSERVER_VDIRBASE/$1"; }

# running NAME: exit 0 when the guest runs
running() { "$VS" "$1" status >/dev/null 2>&1; }

# processes of a guest according to its cgroup (host pids); a guest's
# cgroup is PARENT/vs-NAME (no guest name can then be a cgroupfs file)
cg_procs() {
	local cg
	for cg in /sys/fs/cgroup/"$VSERVER_CGROUP"/vs-"$1" /sys/fs/cgroup/unified/"$VSERVER_CGROUP"/vs-"$1"; do
		# the guest's processes are in its leaf (and below)
		[ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} +
	done
	return 0
}
cg_dir_exists() {
	[ -d /sys/fs/cgroup/"$VSERVER_CGROUP"/vs-"$1" ] || [ -d /sys/fs/cgroup/unified/"$VSERVER_CGROUP"/vs-"$1" ]
}
# which controllers does the host delegate? (empty on a hybrid host)
cg_root() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup
	else echo /sys/fs/cgroup/unified; fi
}
# guest_cg NAME: the guest's cgroup directory
guest_cg() { echo "$(cg_root)/$VSERVER_CGROUP/vs-$1"; }
have_controller() { grep -qw "$1" "$(cg_root)/cgroup.controllers" 2>/dev/null; }

# does any process on the host still have a mount of this path?
mounted_anywhere() {
	local p=$1 f
	for f in /proc/[0-9]*/mountinfo; do
		grep -qF " $p " "$f" 2>/dev/null && return 0
		grep -qF " $p/" "$f" 2>/dev/null && return 0
	done
	return 1
}

wait_until() {  # wait_until SECONDS CMD...: poll until CMD succeeds
	local limit=$(( $1 * 10 )) i=0; shift
	while [ $i -lt $limit ]; do "$@" && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}

finish() {
	local g
	for g in "${GUESTS[@]}"; do
		"$VS" -q "$g" delete --force >/dev/null 2>&1
	done
	echo "#finished"
}
