# vserver-oci: the OCI runtime, driven directly with a hand-written bundle,
# fed hostile config.json files, and driven by a real engine (podman).
. "$VS_TESTDIR/lib.sh"

OCI=$VSB/tools/vserver-oci
ROOT=$T/oci-root
B=$T/oci-bundle
# the ns backend explicitly: on the patched kernel (the VM's ns run) the
# default, auto, would make every container a context (t-oci-vx.sh)
O() { "$OCI" --root "$ROOT" --backend ns "$@"; }
cg2() { if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup; else echo /sys/fs/cgroup/unified; fi; }

if [ "$VS_BACKEND" != ns ]; then
	skip "vserver-oci" "the runtime uses namespaces on every kernel; tested on the ns run"
	finish
	exit 0
fi

g=$(gname rootfs)
check "a busybox root file system from the project's own build" new_guest "$g"
mkdir -p "$B" && cp -a "$(vdir "$g")" "$B/rootfs"

# config.json ARGS-JSON [EXTRA-TOP-LEVEL-JSON]: runc spec's default, trimmed
config() {
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": $1,
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "ocitest",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  ${2:+$2,}
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]${3:+,$3}
  }
}
EOF
}
# nothing of a container may remain: state, cgroup
nothing_left() {
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] && [ ! -e "$(cg2)/vserver-oci/$1" ]
}

# ---- the verbs, directly ------------------------------------------------
check_out "--version names the spec" '^spec: 1\.' "$OCI" --version
check_out "features is JSON with the namespaces" '"namespaces"' "$OCI" features
check_msg 2 "an unknown command is a usage error" "unknown command" "$OCI" frobnicate
check_msg 2 "a missing id is a usage error" "container id is required" O start

config '["sh", "-c", "echo out-$(hostname); exit 3"]'
check_rc 3 "run: the process's exit status is run's" O run --bundle "$B" r1
cp "$OUT" "$T/r1.out"
cond "run: hostname and output" grep -qx "out-ocitest" "$T/r1.out"
cond "run: nothing left behind" nothing_left r1

config '["sleep", "1000"]'
O run --bundle "$B" r2 >/dev/null 2>&1 &
runpid=$!
wait_until 5 bash -c "'$OCI' --root '$ROOT' state r2 2>/dev/null | grep -q running" || true
O kill r2 KILL >/dev/null 2>&1
wait $runpid
rc=$?
cond "run: an init killed by signal 9 → exit status 128+9 (got $rc)" test "$rc" = 137
cond "run: deleted after the end" nothing_left r2

config '["sh", "-c", "touch /x 2>&1; touch /tmp/ok && echo tmp-ok; ulimit -n; ulimit -Hn; cat /proc/keys | wc -c; grep CapBnd /proc/self/status; grep NoNewPrivs /proc/self/status"]'
O run --bundle "$B" r3 >"$T/r3.out" 2>&1
diag "$(tr '\n' ' ' <"$T/r3.out")"
cond "root.readonly: / is read-only" grep -q "Read-only file system" "$T/r3.out"
cond "mounts: a tmpfs on /tmp is writable" grep -q "^tmp-ok" "$T/r3.out"
cond "process.rlimits: NOFILE soft 256 / hard 512" grep -qx "256" "$T/r3.out"
cond "linux.maskedPaths: /proc/keys reads empty (the host's is not)" grep -qx "0" "$T/r3.out"
cond "process.capabilities.bounding: kill, net_bind_service, audit_write only" \
	grep -q "CapBnd:.*0000000020000420" "$T/r3.out"
cond "process.noNewPrivileges" grep -q "NoNewPrivs:.*1" "$T/r3.out"

config '["sleep", "1000"]'
check "create leaves the init waiting" O create --bundle "$B" --pid-file "$T/c1.pid" c1
pid=$(cat "$T/c1.pid" 2>/dev/null)
check_out "state: created, with the pid of the pid file" "\"pid\":${pid:-x}" O state c1
check_out "state: status created" '"status":"created"' O state c1
cond "the waiting init has not run process.args yet" not grep -q sleep "/proc/$pid/cmdline"
check "start" O start c1
check_out "state: running" '"status":"running"' O state c1
cond "after start the init is process.args" grep -q sleep "/proc/$pid/cmdline"
check_msg 1 "start twice is refused" "not created" O start c1
check_out "exec: a command inside (the init is PID 1)" '^1 sleep' O exec c1 sh -c 'echo 1 $(cat /proc/1/comm)'
check_rc 7 "exec: its exit status" O exec c1 sh -c 'exit 7'
check_msg 1 "exec: a missing program is an error" "/no/such: not found" O exec c1 /no/such
check_out "exec --env and --cwd" '^/tmp V=1$' O exec --env V=1 --cwd /tmp c1 sh -c 'echo $(pwd) V=$V'
cat >"$T/proc.json" <<'EOF'
{"args": ["sh", "-c", "echo from-process-json $(id -u)"], "cwd": "/", "env": ["PATH=/bin"],
 "user": {"uid": 65534, "gid": 65534}}
EOF
check_out "exec --process: JSON process, other user" '^from-process-json 65534$' O exec --process "$T/proc.json" c1
check "exec --detach --pid-file" O exec --detach --pid-file "$T/x.pid" c1 sleep 1000
check_out "ps --format json lists init and the detached exec" "\\[.*${pid:-x}.*$(cat "$T/x.pid" 2>/dev/null)" O ps --format json c1
check "pause" O pause c1
check_out "state: paused (cgroup freezer)" '"status":"paused"' O state c1
cond "the init is frozen" grep -q "frozen 1" "$(cg2)/vserver-oci/c1/cgroup.events"
check "resume" O resume c1
check_out "state: running again" '"status":"running"' O state c1
check_msg 1 "delete of a running container needs --force" "is running" O delete c1
check "kill with a signal name" O kill c1 KILL
wait_until 5 bash -c "! kill -0 $pid 2>/dev/null" || true
check_out "state: stopped" '"status":"stopped"' O state c1
check_msg 1 "kill of a stopped container" "nothing to signal" O kill c1 TERM
check "delete" O delete c1
cond "delete: state and cgroup gone, the detached exec too" \
	bash -c "[ -z \"\$(ls -A '$ROOT')\" ] && ! kill -0 $(cat "$T/x.pid" 2>/dev/null || echo 1) 2>/dev/null"
check_msg 1 "state of a deleted container" "does not exist" O state c1

check "kill --all with a number" bash -c "'$OCI' --root '$ROOT' --backend ns run -d --bundle '$B' k1 && '$OCI' --root '$ROOT' kill --all k1 9"
wait_until 5 bash -c "'$OCI' --root '$ROOT' state k1 | grep -q stopped" || true
check "delete after kill --all" O delete k1
check "delete --force of a created container" bash -c "'$OCI' --root '$ROOT' --backend ns create --bundle '$B' d1 && '$OCI' --root '$ROOT' delete --force d1"
cond "nothing left after delete --force" nothing_left d1

# hooks get the state on stdin
cat >"$T/hook" <<EOF
#!/bin/sh
cat >>"$T/hook.out"; echo " \$1" >>"$T/hook.out"
EOF
chmod +x "$T/hook"
config '["true"]' "\"hooks\": {\"prestart\": [{\"path\": \"$T/hook\", \"args\": [\"hook\", \"prestart\"]}], \"poststop\": [{\"path\": \"$T/hook\", \"args\": [\"hook\", \"poststop\"]}]}"
check "run with prestart and poststop hooks" O run --bundle "$B" h1
cond "hooks: prestart got the state with id and pid" grep -q '"id":"h1".*prestart' <(tr -d '\n ' <"$T/hook.out")
cond "hooks: poststop ran" grep -q "poststop" "$T/hook.out"
# a failing poststart or poststop hook is a warning; the ones after it run
config '["true"]' "\"hooks\": {\"poststart\": [{\"path\": \"/bin/false\"}, {\"path\": \"$T/hook\", \"args\": [\"hook\", \"poststart-2nd\"]}], \"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"$T/hook\", \"args\": [\"hook\", \"poststop-2nd\"]}]}"
check_msg 0 "a failing poststart/poststop hook is a warning" "warning: hooks.poststart" O run --bundle "$B" h2
cond "hooks: the poststart hook after a failing one ran" grep -q "poststart-2nd" "$T/hook.out"
cond "hooks: the poststop hook after a failing one ran" grep -q "poststop-2nd" "$T/hook.out"

# --log-format json records the failure as runc does
config '["/no/such/program"]'
check_msg 1 "a missing program fails create" "process.args\[0\]" O --log "$T/oci.log" --log-format json create --bundle "$B" e1
cond "--log-format json: one object with level error" grep -q '"level":"error","msg":".*no/such' "$T/oci.log"
cond "nothing left after a failed create" nothing_left e1

# ---- hostile or wrong config.json: an error naming the field, nothing started
bad() {  # bad DESC REGEX: create must fail saying REGEX, leaving nothing
	local d=$1 re=$2
	check_msg 1 "$d" "$re" O create --bundle "$B" bad
	cond "$d: nothing left" nothing_left bad
}
printf '{"ociVersion": "1.0.2", "process": ' >"$B/config.json"
bad "malformed JSON" "malformed JSON"
printf '{"ociVersion":"1.0.2","x":%s1%s}' "$(printf '[%.0s' $(seq 100))" "$(printf ']%.0s' $(seq 100))" >"$B/config.json"
bad "nesting 100 deep" "nesting deeper than"
{ printf '{"ociVersion":"1.0.2","annotations":{"a":"'; head -c 5000000 /dev/zero | tr '\0' a; printf '"}}'; } >"$B/config.json"
bad "a 5 MB config.json" "bytes; more than"
config '"sh"'
bad "wrong type: process.args a string" "process.args: must be an array"
config '["true"]' '"frobnicate": 1'
bad "unknown top-level field" "^vserver-oci: frobnicate: not supported"
config '["true"]' "" '"intelRdt": {}'
bad "unknown linux field" "linux.intelRdt: not supported"
config '["true"]'
sed -i 's|"path": "rootfs"|"path": "../../etc"|' "$B/config.json"
bad "root.path escaping the bundle" "root.path: .* escapes the bundle"
config '["true"]'
sed -i 's|"destination": "/tmp"|"destination": "/tmp/../../../etc"|' "$B/config.json"
bad "a mount destination with .." 'mounts\[3\]: .* contains ".."'
config '["true"]' "" '"maskedPaths": ["proc/kcore"]'
bad "a relative masked path" 'linux.maskedPaths\[0\]: .* not an absolute'
config '["true"]'
sed -i 's|"uid": 0, "gid": 0|"uid": "root", "gid": 0|' "$B/config.json"
bad "wrong type: process.user.uid" "process.user.uid: must be an integer"
config '["true"]' "" '"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]'
bad "user namespaces are refused" "uidMappings.*not supported"
config '["true"]' "" '"sysctl": {"kernel.panic": "1"}'
bad "a host-wide sysctl is refused" "linux.sysctl.kernel.panic: not namespaced"
config '["true"]' "" '"resources": {"blockIO": {"weight": 10}}'
bad "an unsupported resource" "linux.resources.blockIO: not supported"
config '["true"]'
sed -i 's|"CAP_KILL", "CAP_NET|"CAP_FROBNICATE", "CAP_NET|' "$B/config.json"
bad "an unknown capability" 'process.capabilities.bounding\[1\]: unknown capability'
# the vserver annotations (the vx backend itself: t-oci-vx.sh)
check_msg 2 "--backend takes auto, ns or vx" "--backend: auto, ns or vx, not xen" \
	"$OCI" --root "$ROOT" --backend xen features
config '["true"]' '"annotations": {"org.vserver.xid": "4711"}'
bad "org.vserver.xid on the ns backend" "annotations.org.vserver.xid: only with the vx backend"
config '["true"]' '"annotations": {"org.vserver.xid": "70000"}'
bad "org.vserver.xid out of range" 'annotations.org.vserver.xid: "70000" is not a context id'
config '["true"]' '"annotations": {"org.vserver.ip": "198.18.0.300"}'
bad "org.vserver.ip not an address" "annotations.org.vserver.ip: "
config '["true"]' '"annotations": {"org.vserver.colour": "red"}'
bad "an unknown org.vserver annotation" "annotations.org.vserver.colour: unknown vserver annotation"
if ! "$VINFO" apiver >/dev/null 2>&1; then
	check_out "features: the default backend is ns on a kernel without contexts" \
		'"org.vserver.backend": ?"ns"' "$OCI" features
	config '["true"]' '"annotations": {"org.vserver.backend": "vx"}'
	check_msg 1 "org.vserver.backend vx on a kernel without contexts is refused" \
		"annotations.org.vserver.backend vx: this kernel has no vserver system call" \
		"$OCI" --root "$ROOT" create --bundle "$B" bad
	cond "... and leaves nothing behind" nothing_left bad
else
	skip "features: the default backend on a kernel without contexts" "this kernel has them"
	skip "org.vserver.backend vx on a kernel without contexts" "this kernel has them"
fi
ln -sfn /etc "$B/rootfs/escape"
config '["true"]'
sed -i 's|"destination": "/tmp"|"destination": "/escape/oci-mounted-here"|' "$B/config.json"
check "a mount through a link in the image stays inside the root" O run --bundle "$B" ln1
cond "... and nothing was created in the host's /etc" test ! -e /etc/oci-mounted-here
rm -f "$B/rootfs/escape"

# ---- resources: on this host, v2 if delegated, else the v1 hierarchies
config '["sleep", "1000"]' "" '"resources": {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
if O run -d --bundle "$B" res1 >"$OUT" 2>&1; then
	ok "linux.resources memory and pids"
	mem=$(cat "$(cg2)/vserver-oci/res1/memory.max" /sys/fs/cgroup/memory/vserver-oci/res1/memory.limit_in_bytes 2>/dev/null | head -n 1)
	pids=$(cat "$(cg2)/vserver-oci/res1/pids.max" /sys/fs/cgroup/pids/vserver-oci/res1/pids.max 2>/dev/null | head -n 1)
	cond "memory.limit in force (${mem:-none})" test "${mem:-}" = 67108864
	cond "pids.limit in force (${pids:-none})" test "${pids:-}" = 40
	O delete --force res1 >/dev/null 2>&1
else
	check_msg 1 "linux.resources without a controller names the field" "linux.resources" O run -d --bundle "$B" res1
	skip "memory.limit in force" "no memory controller here"
	skip "pids.limit in force" "no pids controller here"
fi

# ---- seccomp: two comparisons of one argument mean either (runc, crun);
# runtime-tools' default profile has personality(0 or 8 or ...)
config '["sh", "-c", "busybox linux64 true && echo p0-allowed; busybox linux32 true; echo rc=$?"]' "" \
	'"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 131080, "op": "SCMP_CMP_EQ"}]}]}'
check "seccomp: a rule comparing one argument twice loads" O run --bundle "$B" sc1
cp "$OUT" "$T/sc1.out"
cond "seccomp: what neither comparison matches is allowed" grep -q "p0-allowed" "$T/sc1.out"
cond "seccomp: what one of them matches is refused (EPERM)" \
	grep -Eq "personality.*(not permitted|EPERM)" "$T/sc1.out"
cond "... and the program failed for it" grep -qx "rc=1" "$T/sc1.out"

# ---- update: new limits for a living container, all or nothing
# cgv ID CTRL V2FILE V1FILE: the container's value, from v2 or v1
cgv() { cat "$(cg2)/vserver-oci/$1/$3" "/sys/fs/cgroup/$2/vserver-oci/$1/$4" 2>/dev/null | head -n 1; }
config '["sleep", "1000"]' "" '"resources": {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
if O run -d --bundle "$B" up1 >"$OUT" 2>&1; then
	check "update --memory 128m --pids-limit 60" O update --memory 128m --pids-limit 60 up1
	cond "update: memory.limit in force ($(cgv up1 memory memory.max memory.limit_in_bytes))" \
		test "$(cgv up1 memory memory.max memory.limit_in_bytes)" = 134217728
	cond "update: pids.limit in force ($(cgv up1 pids pids.max pids.max))" \
		test "$(cgv up1 pids pids.max pids.max)" = 60
	cond "update: the container's config.json records it" \
		test "$(jq -c '.linux.resources | [.memory.limit, .pids.limit]' "$ROOT/up1/config.json")" = "[134217728,60]"
	check_msg 2 "update: a bad number is refused" "--pids-limit: 'lots' is not a number" \
		O update --pids-limit lots up1
	check_msg 2 "update: a bad size is refused" "--memory: '12q' is not a size" \
		O update --memory 12q up1
	check_msg 1 "update: a bad value refuses the whole update" "cpu.period: 5 is out of range" \
		O update --memory 32m --cpu-period 5 up1
	cond "... and the memory limit before it is not applied" \
		test "$(cgv up1 memory memory.max memory.limit_in_bytes)" = 134217728
	check_msg 1 "update: swap below memory is refused" "memory.swap: 16777216 .* less than memory.limit 134217728" \
		O update --memory-swap 16m up1
	check_msg 1 "update: an option runc has and this runtime cannot honour names itself" \
		"--blkio-weight: not supported by vserver-oci" O update --blkio-weight 100 up1
	check_msg 2 "update: --resources excludes the other options" "exclude each other" \
		O update --resources - --memory 1g up1 </dev/null
	check_msg 1 "update --resources: a set member it cannot honour is named" \
		"resources.blockIO.weight: not supported" \
		O update --resources - up1 <<<'{"memory": {"limit": 100663296}, "blockIO": {"weight": 10}}'
	cond "... and nothing of it is applied" \
		test "$(cgv up1 memory memory.max memory.limit_in_bytes)" = 134217728
	check_msg 1 "update --resources: a wrong type is named" "resources.pids.limit: must be an integer" \
		O update --resources - up1 <<<'{"pids": {"limit": "ten"}}'
	# what containerd's shim sends: the whole LinuxResources, unset parts null or 0
	check "update --resources - (stdin, as containerd's shim)" O update --resources - up1 \
		<<<'{"memory": {"limit": 100663296, "swap": null, "kernel": 0}, "pids": {"limit": -1}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": ""}, "blockIO": {"weight": null}, "devices": []}'
	cond "update --resources: memory.limit in force" \
		test "$(cgv up1 memory memory.max memory.limit_in_bytes)" = 100663296
	cond "update --resources: pids.limit -1 lifts the limit" test "$(cgv up1 pids pids.max pids.max)" = max
	cond "update --resources: cpu.quota in force ($(cgv up1 cpu cpu.max cpu.cfs_quota_us))" \
		grep -Eq '^50000( 100000)?$' <<<"$(cgv up1 cpu cpu.max cpu.cfs_quota_us)"
	cond "update --resources: cpu.shares in force ($(cgv up1 cpu cpu.weight cpu.shares))" \
		grep -Eq '^(512|20)$' <<<"$(cgv up1 cpu cpu.weight cpu.shares)"
	check "update --cpu-quota -1 (no limit)" O update --cpu-quota -1 up1
	cond "update: cpu.quota lifted ($(cgv up1 cpu cpu.max cpu.cfs_quota_us))" \
		grep -Eq '^(-1|max 100000)$' <<<"$(cgv up1 cpu cpu.max cpu.cfs_quota_us)"
	O kill up1 KILL >/dev/null 2>&1
	wait_until 5 bash -c "'$OCI' --root '$ROOT' state up1 2>/dev/null | grep -q stopped" || true
	check_msg 1 "update: a stopped container is refused" "container up1 is stopped" \
		O update --memory 64m up1
	O delete --force up1 >/dev/null 2>&1
	# no limit at create: on a hybrid host the container is in no v1
	# memory cgroup yet; update puts its processes into one
	config '["sh", "-c", "sleep 1000 & sleep 1000"]'
	O run -d --bundle "$B" up2 >/dev/null 2>&1
	check "update of a container created without limits" O update --memory 64m up2
	cond "update: the new memory limit is in force" \
		test "$(cgv up2 memory memory.max memory.limit_in_bytes)" = 67108864
	if [ -d /sys/fs/cgroup/memory/vserver-oci/up2 ]; then
		cond "update: every process of the container is in the new v1 memory cgroup" test \
			"$(sort "$(cg2)/vserver-oci/up2/cgroup.procs" | tr '\n' ' ')" = \
			"$(sort /sys/fs/cgroup/memory/vserver-oci/up2/cgroup.procs | tr '\n' ' ')"
	else
		skip "update: every process of the container is in the new v1 memory cgroup" \
			"memory is delegated in cgroup v2 here (the container's own cgroup)"
	fi
	check "delete after update (the cgroups it made go too)" O delete --force up2
	cond "update: nothing left" nothing_left up2
	cond "update: the v1 cgroup update made is gone" test ! -e /sys/fs/cgroup/memory/vserver-oci/up2
else
	for d in "update --memory --pids-limit" "update refusals" "update --resources"; do
		skip "$d" "no memory and pids controller here"
	done
fi

# ---- linux.resources.devices: the v1 devices controller and the eBPF
# filter on cgroup v2, each where this host has it (VSERVER_OCI_DEVICES
# forces one; a hybrid host has both)
devcfg() {  # devcfg SCRIPT RULES: a container with CAP_MKNOD and device RULES
	config "[\"sh\", \"-c\", \"$1\"]" "" "\"resources\": {\"devices\": $2}"
	sed -i 's/"CAP_KILL"/"CAP_KILL", "CAP_MKNOD"/' "$B/config.json"
}
DEFAULTS_ONLY='[{"allow": false, "access": "rwm"}]'
# deny all; 1:1 all access, then its reads denied again (the later rule
# wins); 1:2 mknod and read only (the kernel has no such device: an open
# the filter lets through fails in the driver, ENXIO, not with EPERM)
LAYERED='[{"allow": false, "access": "rwm"},
 {"allow": true, "type": "c", "major": 1, "minor": 1, "access": "rwm"},
 {"allow": false, "type": "c", "major": 1, "minor": 1, "access": "r"},
 {"allow": true, "type": "c", "major": 1, "minor": 2, "access": "rm"}]'
devtests() {
	local m=$1 id
	export VSERVER_OCI_DEVICES=$m
	devcfg 'mknod /dev/t-mem c 1 1; mknod /dev/t-null c 1 3 && echo x >/dev/t-null && head -c1 /dev/t-null && echo null-ok; head -c3 /dev/zero | wc -c' "$DEFAULTS_ONLY"
	O run --bundle "$B" dev-$m >"$T/dev-$m.out" 2>&1
	diag "$m: $(tr '\n' ' ' <"$T/dev-$m.out")"
	cond "devices ($m): a device no rule allows cannot be made (mknod c 1 1: EPERM)" \
		grep -q "t-mem: Operation not permitted" "$T/dev-$m.out"
	cond "devices ($m): a default node made anew works (c 1:3, written and read)" \
		grep -qx "null-ok" "$T/dev-$m.out"
	cond "devices ($m): /dev/zero, a default node, reads" grep -qx "3" "$T/dev-$m.out"
	devcfg 'mknod /dev/t-mem c 1 1 && echo mem-made; head -c1 /dev/t-mem; mknod /dev/t-kmem c 1 2 && echo kmem-made; head -c1 /dev/t-kmem; mknod /dev/t-port c 1 4' "$LAYERED"
	O run --bundle "$B" dev2-$m >"$T/dev2-$m.out" 2>&1
	diag "$m: $(tr '\n' ' ' <"$T/dev2-$m.out")"
	cond "devices ($m): an explicit allow rule lets mknod c 1 1 through" grep -qx "mem-made" "$T/dev2-$m.out"
	cond "devices ($m): the later deny of reads wins (head c 1:1: EPERM)" \
		grep -q "t-mem: Operation not permitted" "$T/dev2-$m.out"
	cond "devices ($m): an allowed read reaches the driver (c 1:2: ENXIO, not EPERM)" \
		grep -q "t-kmem: No such device or address" "$T/dev2-$m.out"
	cond "devices ($m): a device only the initial deny names stays denied (c 1:4)" \
		grep -q "t-port: Operation not permitted" "$T/dev2-$m.out"
	cond "devices ($m): nothing left after run" nothing_left dev2-$m
	unset VSERVER_OCI_DEVICES
}
for m in v1 ebpf; do
	got=$(VSERVER_OCI_DEVICES=$m oci_devices)
	if [ "$got" = "$m" ]; then
		devtests "$m"
	else
		skip "devices ($m)" "$got"
	fi
done
if [ "$(VSERVER_OCI_DEVICES=ebpf oci_devices)" = ebpf ]; then
	# the program lives in the cgroup and goes with it
	devcfg 'sleep 1000' "$DEFAULTS_ONLY"
	VSERVER_OCI_DEVICES=ebpf O run -d --bundle "$B" dev3 >"$OUT" 2>&1
	ids=$("$PROBE" devprogs "$(cg2)/vserver-oci/dev3" 2>&1)
	cond "devices (ebpf): one device program attached to the container's cgroup (${ids:-none})" \
		test "$(wc -w <<<"$ids")" = 1
	O delete --force dev3 >/dev/null 2>&1
	wait_until 10 bash -c "'$PROBE' progid '${ids:-0}' | grep -qx gone" || true
	cond "devices (ebpf): delete leaves no program behind (id ${ids:-none}: $("$PROBE" progid "${ids:-0}"))" \
		test "$("$PROBE" progid "${ids:-0}")" = gone
	cond "devices (ebpf): nothing left after delete" nothing_left dev3
	# a kernel without bpf() (ENOSYS) and a caller it refuses (EPERM)
	devcfg 'true' "$DEFAULTS_ONLY"
	check_msg 1 "devices (ebpf): no bpf() in the kernel: refused, saying so" \
		"linux.resources.devices: cannot load the cgroup v2 device filter \(eBPF\): bpf\(BPF_PROG_LOAD\): Function not implemented \(the kernel has no bpf\(\) system call" \
		env VSERVER_OCI_DEVICES=ebpf "$PROBE" nobpf 38 "$OCI" --root "$ROOT" --backend ns create --bundle "$B" dev4
	cond "... and leaves nothing behind" nothing_left dev4
	check_msg 1 "devices (ebpf): bpf() not permitted: refused, saying why" \
		"bpf\(BPF_PROG_LOAD\): Operation not permitted \(needs CAP_BPF and CAP_SYS_ADMIN" \
		env VSERVER_OCI_DEVICES=ebpf "$PROBE" nobpf 1 "$OCI" --root "$ROOT" --backend ns create --bundle "$B" dev5
	cond "... and leaves nothing behind" nothing_left dev5
else
	skip "devices (ebpf): the program goes with the cgroup" "$(VSERVER_OCI_DEVICES=ebpf oci_devices)"
fi
if ! oci_devices_ok; then
	devcfg 'true' "$DEFAULTS_ONLY"
	check_msg 1 "device rules that cannot be enforced are refused, naming the field" \
		"linux.resources.devices: " O create --bundle "$B" dev1
	cond "... and leave nothing behind" nothing_left dev1
fi

# ---- a real engine: podman ---------------------------------------------
podman_skip() {
	local why=$1 d
	for d in "podman run --rm" "podman run: exit status" "podman run -it" "podman ps while running" \
		"podman exec" "podman exec -it" "podman kill" "podman stop" "podman --memory" "podman --pids-limit" \
		"podman update"; do
		skip "$d" "$why"
	done
}
if ! command -v podman >/dev/null; then
	podman_skip "podman is not installed (tests/run-all installs it)"
	finish
	exit 0
fi
if ! oci_devices_ok; then
	podman_skip "$(oci_no_devices)"
	finish
	exit 0
fi
# podman's state apart from the host's; the runtime through a wrapper that
# names the helper directory of this build tree
PR=$T/podman
mkdir -p "$PR"
cat >"$PR/vserver-oci" <<EOF
#!/bin/sh
VSERVER_HELPERDIR='$VSERVER_HELPERDIR' exec '$OCI' --backend ns "\$@"
EOF
chmod +x "$PR/vserver-oci"
P() { podman --root "$PR/storage" --runroot "$PR/run" --runtime "$PR/vserver-oci" \
	--cgroup-manager=cgroupfs --events-backend=file "$@"; }
# podman asks for nofile 1048576 and nproc 1048576 by default, which needs
# CAP_SYS_RESOURCE; some test machines do not grant it even to root.  No
# network: podman's default (a CNI bridge) needs bridge and iptables
# support the test VM's kernel does not have, and nothing here needs it
U="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --network none"
tar -C "$B/rootfs" -cf "$PR/rootfs.tar" .
if ! P import "$PR/rootfs.tar" localhost/vs-busybox:oci >"$OUT" 2>&1; then
	podman_skip "podman import fails here: $(tail -n 1 "$OUT")"
	finish
	exit 0
fi
IMG=localhost/vs-busybox:oci
if ! P run --rm $U "$IMG" true >"$OUT" 2>&1; then
	diag "podman run failed: $(tail -n 2 "$OUT")"
	# hybrid hosts: try without podman's own cgroup handling
	P run --rm $U --cgroups=disabled "$IMG" true >"$OUT" 2>&1 &&
		U="$U --cgroups=disabled" && diag "podman needs --cgroups=disabled here"
fi
check "podman run --rm" P run --rm $U "$IMG" true
check_rc 3 "podman run: exit status" P run --rm $U "$IMG" sh -c 'exit 3'
if command -v script >/dev/null; then
	out=$(printf 'echo typed-$((6*7))\nexit 5\n' | script -qec "podman --root '$PR/storage' --runroot '$PR/run' --runtime '$PR/vserver-oci' --cgroup-manager=cgroupfs --events-backend=file run -it --rm $U $IMG sh" /dev/null 2>&1; echo "rc=$?")
	cond "podman run -it: a terminal through the console socket" grep -q "typed-42" <<<"$out"
else
	skip "podman run -it" "script(1) is not installed"
fi
check "podman run -d" P run -d --name oci1 $U --memory 64m --pids-limit 50 "$IMG" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
check_out "podman ps while running" 'oci1' P ps
check_out "podman exec" '^in-exec-ocitest$|^in-exec-' P exec oci1 sh -c 'echo in-exec-$(hostname)'
if command -v script >/dev/null; then
	out=$(printf 'echo exec-tty-$((2+3))\nexit 4\n' | script -qec "podman --root '$PR/storage' --runroot '$PR/run' --runtime '$PR/vserver-oci' --cgroup-manager=cgroupfs --events-backend=file exec -it oci1 sh" /dev/null 2>&1)
	cond "podman exec -it" grep -q "exec-tty-5" <<<"$out"
else
	skip "podman exec -it" "script(1) is not installed"
fi
id=$(P inspect -f '{{.Id}}' oci1 2>/dev/null)
mem=$(cat /sys/fs/cgroup/memory/libpod_parent/libpod-$id/memory.limit_in_bytes \
	"$(cg2)/libpod_parent/libpod-$id/memory.max" 2>/dev/null | head -n 1)
pids=$(cat /sys/fs/cgroup/pids/libpod_parent/libpod-$id/pids.max \
	"$(cg2)/libpod_parent/libpod-$id/pids.max" 2>/dev/null | head -n 1)
cond "podman --memory 64m reaches the cgroup (${mem:-none})" test "${mem:-}" = 67108864
cond "podman --pids-limit 50 reaches the cgroup (${pids:-none})" test "${pids:-}" = 50
# podman update hands the runtime `update --resources FILE`
if P update --help >/dev/null 2>&1; then
	check "podman update --memory 96m" P update --memory 96m oci1
	mem=$(cat /sys/fs/cgroup/memory/libpod_parent/libpod-$id/memory.limit_in_bytes \
		"$(cg2)/libpod_parent/libpod-$id/memory.max" 2>/dev/null | head -n 1)
	cond "podman update: memory in force (${mem:-none})" test "${mem:-}" = 100663296
else
	skip "podman update" "this podman has no update command"
fi
check "podman kill -s USR1" P kill -s USR1 oci1
wait_until 10 bash -c "podman --root '$PR/storage' --runroot '$PR/run' ps -a --format '{{.Status}}' --filter name=oci1 | grep -q 'Exited (9)'"
check_out "podman kill: the signal reached the container's init" 'Exited \(9\)' P ps -a --format '{{.Status}}' --filter name=oci1
P rm -f oci1 >/dev/null 2>&1
P run -d --name oci2 $U "$IMG" sleep 1000 >/dev/null 2>&1
check "podman stop" P stop -t 1 oci2
check_out "podman stop: exited" 'Exited' P ps -a --format '{{.Status}}' --filter name=oci2
P rm -f oci2 >/dev/null 2>&1
P rmi -f "$IMG" >/dev/null 2>&1
cond "podman left nothing in the runtime's state" test -z "$(ls -A /run/vserver-oci 2>/dev/null | grep -v '^$' || true)"
finish
