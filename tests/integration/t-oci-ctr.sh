# vserver-oci driven by containerd: a private containerd daemon (its own
# socket, root and state in the test's directory) runs the project's busybox
# image through its runc shim v2 with `ctr run --runc-binary`.
. "$VS_TESTDIR/lib.sh"

OCI=$VSB/tools/vserver-oci
CD=$T/ctrd
NS=$(basename "$T")	# the containerd namespace, also the shim's --root leaf
ctr_skip() {
	local d
	for d in "ctr run --rm" "ctr run: exit status" "ctr run -t" "ctr run -d" "ctr task exec" \
		"ctr task ps" "ctr task pause" "ctr task kill" "nothing left"; do
		skip "$d" "$1"
	done
	finish
	exit 0
}

if [ "$VS_BACKEND" != ns ]; then
	skip "containerd" "the runtime's engines are tested on the ns run (t-oci-vx.sh: the vx backend)"
	finish
	exit 0
fi
command -v containerd >/dev/null && command -v ctr >/dev/null ||
	ctr_skip "containerd is not installed (tests/run-all installs it)"
command -v podman >/dev/null || ctr_skip "podman (to write the image as an OCI archive) is not installed"
oci_devices_ok || ctr_skip "$(oci_no_devices)"

g=$(gname rootfs)
check "a busybox root file system from the project's own build" new_guest "$g"
mkdir -p "$CD"
tar -C "$(vdir "$g")" -cf "$CD/rootfs.tar" .
PM="podman --root $CD/podman --runroot $CD/podman-run --events-backend=file"
IMG=localhost/vs-busybox:ctr
$PM import "$CD/rootfs.tar" "$IMG" >"$OUT" 2>&1 &&
	$PM save --format oci-archive -o "$CD/image.tar" "$IMG" >>"$OUT" 2>&1 ||
	ctr_skip "podman cannot write the image: $(tail -n 1 "$OUT")"
$PM rmi -f "$IMG" >/dev/null 2>&1

cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD/c.sock"
[ttrpc]
  address = "$CD/t.sock"
EOF
# the shims keep sockets and fifos under /run/containerd whatever the
# daemon's state directory: when no containerd made it before us, none
# of it is anyone else's
had_run=0
[ -e /run/containerd ] && had_run=1
containerd --config "$CD/config.toml" >"$CD/daemon.log" 2>&1 &
dpid=$!
cleanup() {
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	rm -rf "/run/containerd/runc/$NS"
	[ "$had_run" = 1 ] || rm -rf /run/containerd
}
trap cleanup EXIT
C() { ctr -a "$CD/c.sock" -n "$NS" "$@"; }
wait_until 20 C version >/dev/null 2>&1 ||
	ctr_skip "containerd does not start here: $(tail -n 2 "$CD/daemon.log")"
C images import "$CD/image.tar" >"$OUT" 2>&1 || ctr_skip "ctr images import fails: $(tail -n 1 "$OUT")"

# the runtime through a wrapper naming this build's helper directory, on
# the ns backend (t-oci-vx.sh tests vx)
cat >"$CD/vserver-oci" <<EOF
#!/bin/sh
VSERVER_HELPERDIR='$VSERVER_HELPERDIR' exec '$OCI' --backend ns "\$@"
EOF
chmod +x "$CD/vserver-oci"
R="--runc-binary $CD/vserver-oci"

check_out "ctr run --rm" '^hello-from-ctr$' C run --rm $R "$IMG" r1 echo hello-from-ctr
check_rc 3 "ctr run: exit status" C run --rm $R "$IMG" r2 sh -c 'exit 3'
if command -v script >/dev/null; then
	out=$(printf 'echo tty-$((6*7))\nexit 4\n' | timeout 60 script -qec \
		"ctr -a '$CD/c.sock' -n '$NS' run -t --rm $R $IMG r3 sh" /dev/null 2>&1; echo "rc=$?")
	typed_and_exit() { grep -q "tty-42" <<<"$out" && grep -q "rc=4" <<<"$out"; }
	cond "ctr run -t: a terminal through the console socket, and its exit status" typed_and_exit
else
	skip "ctr run -t" "script(1) is not installed"
fi
check "ctr run -d" C run -d $R "$IMG" d1 sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
wait_until 10 sh -c "ctr -a '$CD/c.sock' -n '$NS' task ls | grep -q 'd1.*RUNNING'"
check_out "ctr task exec" '^exec-ok$' C task exec --exec-id e1 d1 sh -c 'echo exec-ok'
check_out "ctr task ps lists the init and more" '^[0-9]+' C task ps d1
check "ctr task pause" C task pause d1
check_out "... paused" 'd1.*PAUSED' C task ls
check "ctr task resume" C task resume d1
check "ctr task kill (TERM)" C task kill d1
wait_until 10 sh -c "ctr -a '$CD/c.sock' -n '$NS' task ls | grep -q 'd1.*STOPPED'"
check_out "... the init's trap ran: ctr task delete reports exit code 7" 'exit code 7' \
	C task delete d1
C container delete d1 >/dev/null 2>&1
cond "nothing left in the runtime's state (--root /run/containerd/runc/$NS)" \
	test -z "$(ls -A "/run/containerd/runc/$NS" 2>/dev/null)"
finish
