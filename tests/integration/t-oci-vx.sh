# vserver-oci on the patched kernel: a container is also a context (and,
# given addresses, a network context on the host's stack).  The runtime's
# verbs themselves are tested by t-oci.sh on the ns run.
. "$VS_TESTDIR/lib.sh"

OCI=$VSB/tools/vserver-oci
ROOT=$T/ocivx-root
B=$T/ocivx-bundle
O() { "$OCI" --root "$ROOT" "$@"; }

if [ "$VS_BACKEND" != vx ]; then
	skip "vserver-oci on the vx backend" "needs the patched kernel; this is the ns run"
	finish
	exit 0
fi

g=$(gname rootfs)
check "a busybox root file system from the project's own build" new_guest "$g"
mkdir -p "$B" && cp -a "$(vdir "$g")" "$B/rootfs"

# config ARGS-JSON ANNOTATIONS-JSON [NAMESPACES-JSON]
NS_ALL='[{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]'
config() {
	local ns=${3:-$NS_ALL}
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "user": {"uid": 0, "gid": 0}, "args": $1,
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs"},
  "hostname": "ocivx",
  "annotations": $2,
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    "namespaces": $ns,
    "resources": {"pids": {"limit": 40}}
  }
}
EOF
}
gone() { ! "$VSB/tools/vattribute" --xid "$1" --get >/dev/null 2>&1; }

check_out "features: the backend is vx here" '"org.vserver.backend": ?"vx"' O features

# a context id given by annotation
config '["sleep", "1000"]' '{"org.vserver.xid": "4711"}'
check "create and start a container with org.vserver.xid 4711" \
	sh -c "'$OCI' --root '$ROOT' create --bundle '$B' c1 && '$OCI' --root '$ROOT' start c1"
pid=$(O state c1 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
check_out "its init is in context 4711" '^4711$' "$VINFO" xid "${pid:-0}"
check_out "exec joins the context" '^VxID:[[:space:]]*4711$' O exec c1 grep VxID /proc/self/status
check_out "... under the bounding set of the spec (kill, net_bind_service, audit_write)" \
	'^CapBnd:[[:space:]]*0*20000420$' O exec c1 grep CapBnd /proc/self/status
check_out "the context is the container's (its name)" '^oci:c1$' \
	"$VSB/tools/vuname" --xid 4711 --get context
check_out "linux.resources.pids.limit is the context's nproc limit" 'nproc.*40' \
	"$VSB/tools/vlimit" --xid 4711
# update: the context's limits follow the cgroup's
check "update --pids-limit 60" O update --pids-limit 60 c1
check_out "update: the context's nproc limit follows" '^nproc .* 60 ' "$VSB/tools/vlimit" --xid 4711
if grep -qw memory /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
	[ -d /sys/fs/cgroup/memory ]; then
	pages=$((64 * 1024 * 1024 / $(getconf PAGESIZE)))
	check "update --memory 64m" O update --memory 64m c1
	# as at create: rss only where the kernel enforces it for contexts
	if "$VSB/tools/vlimit" --mask | grep -qw rss; then
		check_out "update: the context's rss limit follows ($pages pages)" "^rss .* $pages " \
			"$VSB/tools/vlimit" --xid 4711
	else
		skip "update: the context's rss limit follows" \
			"this kernel does not enforce rss for contexts (vlimit --mask); the cgroup's memory limit does"
	fi
else
	skip "update --memory 64m" "no memory cgroup controller here"
	skip "update: the context's rss limit follows" "no memory cgroup controller here"
fi
check_msg 1 "update: a bad value changes neither cgroup nor context" 'cpu.period: 5 is out of range' \
	O update --pids-limit 70 --cpu-period 5 c1
check_out "... the context's nproc limit is still 60" '^nproc .* 60 ' "$VSB/tools/vlimit" --xid 4711
check_msg 1 "a second container with the same id is refused, naming it" \
	'org.vserver.xid: context 4711 already exists' O run --bundle "$B" c2
cond "... and leaves nothing behind" test ! -e "$ROOT/c2"
check "kill and delete" sh -c "'$OCI' --root '$ROOT' delete --force c1"
wait_until 5 gone 4711
cond "the context is gone after delete" gone 4711

# a context id the runtime picks
config '["sh", "-c", "grep VxID /proc/self/status"]' '{}'
check_out "without an id the runtime picks one of 40000-49151" \
	'^VxID:[[:space:]]*4[0-9]{4}$' O run --bundle "$B" c3
cond "... and run leaves nothing behind" test ! -e "$ROOT/c3"

# engines' ids are 64 hex digits: more than the kernel keeps of a name
long=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
config '["sleep", "1000"]' '{"org.vserver.xid": "4713"}'
check "a container with a 64-character id (podman's, containerd's)" O run -d --bundle "$B" "$long"
check_out "... its context's name keeps the first 60 characters" "^oci:${long:0:60}\$" \
	"$VSB/tools/vuname" --xid 4713 --get context
O delete --force "$long" >/dev/null 2>&1
config '["sh", "-c", "grep VxID /proc/self/status"]' '{}'
check_out "--backend ns keeps a container out of contexts" '^VxID:[[:space:]]*0$' \
	"$OCI" --root "$ROOT" --backend ns run --bundle "$B" c4
config '["true"]' '{"org.vserver.ip": "198.18.0.31"}'
check_msg 1 "org.vserver.ip with a network namespace is refused, naming the field" \
	'annotations.org.vserver.ip: a network context is on the host' O run --bundle "$B" c5

# ---- the chroot barrier on the directory holding the container's root
HP=$VSB/tests/integration/vs-probe
cp "$VSB/tests/integration/vs-attack" "$B/rootfs/bin/vs-attack"
marker=$T/ocivx-escape-marker
echo here >"$marker"
config '["sleep", "1000"]' '{}'
# CAP_SYS_CHROOT: the classic escape needs it
sed -i 's/"CAP_AUDIT_WRITE"/"CAP_AUDIT_WRITE", "CAP_SYS_CHROOT"/g' "$B/config.json"
check_out "no barrier on the bundle before" '^none$' "$HP" barrier "$B"
# the control: in an ns container (xid 0, no barrier) the same walk gets out,
# so the test below can fail
"$OCI" --root "$ROOT" --backend ns run -d --bundle "$B" b0 >/dev/null 2>&1
check_out "control: without the barrier (ns container) a directory handed in leads out" \
	'^escaped' "$OCI" --root "$ROOT" --backend ns exec --preserve-fds 1 b0 /bin/vs-attack updir 3 "$marker" 3<"$B/rootfs"
"$OCI" --root "$ROOT" --backend ns delete --force b0 >/dev/null 2>&1
check "a vx container with CAP_SYS_CHROOT" O run -d --bundle "$B" b1
check_out "the root's parent (the bundle) has the chroot barrier" '^barrier$' "$HP" barrier "$B"
check_out "the classic chroot escape (mkdir, chroot, chdir .. 64 times, chroot .) stays inside" \
	'^contained$' O exec b1 /bin/vs-attack chroot "$marker"
check_out "from a directory outside the root, the walk up stops at the barrier" \
	'^blocked at 1 EPERM$' O exec --preserve-fds 1 b1 /bin/vs-attack updir 3 "$marker" 3<"$B/rootfs"
# a second bundle whose root.path is the same directory: the parent is shared
B2=$T/ocivx-bundle2
mkdir -p "$B2"
sed "s|\"path\": \"rootfs\"|\"path\": \"$B/rootfs\"|" "$B/config.json" >"$B2/config.json"
check "a second container under the same parent" O run -d --bundle "$B2" b2
check "delete the first" O delete --force b1
check_out "the barrier stays while the second holds it" '^barrier$' "$HP" barrier "$B"
check "delete the second" O delete --force b2
check_out "the last one out clears the barrier it set" '^none$' "$HP" barrier "$B"
cond "... and the registry is empty" test -z "$(ls -A /run/vserver-oci.barriers 2>/dev/null)"
# a barrier the runtime did not set is never cleared
check_out "a barrier set beforehand (by the admin)" '^barrier$' "$HP" barrier "$B" set
check "a container under it" O run -d --bundle "$B" b3
check "delete it" O delete --force b3
check_out "the admin's barrier is still there" '^barrier$' "$HP" barrier "$B"
"$HP" barrier "$B" clear >/dev/null

# a network context
if ! "$VINFO" apiver >/dev/null 2>&1 || [ ! -d /proc/virtnet ]; then
	skip "org.vserver.ip" "this kernel has no network contexts"
elif ! ip link add vsocidummy0 type dummy 2>"$OUT"; then
	skip "org.vserver.ip" "cannot create a dummy link: $(cat "$OUT")"
else
	trap 'ip link del vsocidummy0 2>/dev/null' EXIT
	ip link set vsocidummy0 up
	ip addr add 198.18.0.31/24 dev vsocidummy0
	ip addr add 198.18.0.32/24 dev vsocidummy0
	config '["sleep", "1000"]' '{"org.vserver.xid": "4712", "org.vserver.ip": "198.18.0.31"}' \
		'[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]'
	check "a container with org.vserver.ip 198.18.0.31 (no network namespace)" \
		sh -c "'$OCI' --root '$ROOT' run --detach --bundle '$B' c6"
	check_out "it is in network context 4712" '^NxID:[[:space:]]*4712$' \
		O exec c6 grep NxID /proc/self/status
	check_out "it may bind its address" '^bound 198.18.0.31' O exec c6 /bin/vs-probe bind tcp 198.18.0.31 0
	check_out "it cannot bind another address of the host" 'error EADDRNOTAVAIL' \
		O exec c6 /bin/vs-probe bind tcp 198.18.0.32 0
	check "delete --force" O delete --force c6
	wait_until 5 gone 4712
	cond "the context is gone after delete" gone 4712
fi
finish
