# Attacks of a guest's root on what exec/enter hand over (issue 14): the
# joining helper, its executable, the admin's descriptors and terminal, the
# kernel log and the guest's cgroup.  Runs on both backends.
. "$VS_TESTDIR/lib.sh"

ATT=$VSB/tests/integration/vs-attack
g=$(gname a)
check "build" new_guest "$g"
V=$(vdir "$g")
cp "$ATT" "$V/bin/vs-attack"
ln -s /proc/self/exe "$V/bin/evil"
printf '#!/proc/self/exe\n' >"$V/bin/evil-script"; chmod 755 "$V/bin/evil-script"
echo 'SYSLOG' >"$VSERVER_CONFDIR/$g/bcapabilities"
check "start (with CAP_SYSLOG granted)" "$VS" "$g" start
x() { "$VS" "$g" exec "$@"; }
sums() { sha256sum "$VS" "$VSB/tools/.libs/vserver" "$VSB/init/vserver-init" 2>/dev/null; stat -c '%n %a %u' "$VSB/init/vserver-init" "$VS"; }
before=$(sums)

# --- 1. the joining helper -----------------------------------------------
# A guest process watches every process named like our helper while many
# execs run: no environment, root, cwd, descriptor or writable exe.
canary=canary-$RANDOM$RANDOM
x /bin/sh -c "/bin/vs-attack watch 8 vserver $canary > /tmp/watch.out 2>&1 &" >/dev/null
for i in $(seq 60); do
	VS_CANARY=$canary "$VS" "$g" exec /bin/true 3</etc/hostname >/dev/null 2>&1
	VS_CANARY=$canary "$VS" "$g" exec /bin/evil >/dev/null 2>&1
done
wait_until 15 grep -q '^seen' "$V/tmp/watch.out"
w=$(cat "$V/tmp/watch.out" 2>/dev/null)
diag "watcher: $(grep '^seen' <<<"$w") $(grep -m3 '^leak' <<<"$w" | tr '\n' ' ')"
if grep -q '^seen 0 ' <<<"$w"; then
	skip "the joining helper is unreachable from the guest" "the watcher never caught one (race window too small here)"
else
	cond "the joining helper is unreachable from the guest" grep -q 'leaked 0$' <<<"$w"
fi

# A guest binary that is a link to /proc/self/exe (and a #! script naming
# it) runs the helper again, never the host's vserver binary; the file
# behind /proc/PID/exe cannot be written, chmod'ed or chown'ed, not even
# through an O_PATH handle after the process is gone.
x /bin/evil >"$OUT.evil" 2>&1
cond "exec of a link to /proc/self/exe runs the helper, not the host's vserver" \
	grep -q 'usage: vserver-init' "$OUT.evil"
x /bin/evil-script >"$OUT.evil" 2>&1
cond "... and so does a #!/proc/self/exe script" grep -q 'usage: vserver-init' "$OUT.evil"
# the helper in its init mode stays until killed; the guest attacks it
x /bin/evil --start 2 /bin/sleep 100 --stop 0 >/dev/null 2>&1 &
xp=$!
r=$(x /bin/vs-attack exe =evil)
wait $xp
diag "attacks on /proc/PID/exe: $r"
cond "open of its exe for writing is refused (EROFS/ETXTBSY: $r)" \
	grep -Eq 'write=(EROFS|ETXTBSY) ' <<<"$r"
cond "fchmod and fchown of its exe fail with EROFS" grep -q 'fchmod=EROFS fchown=EROFS' <<<"$r"
# ETXTBSY when the guest's init runs the same helper (styles sysv, minit)
cond "reopening it for writing after the process ended is refused" \
	grep -Eq 'reopen=(EROFS|ETXTBSY)' <<<"$r"
cond "the host's binaries are unchanged (content, mode, owner)" test "$(sums)" = "$before"
r=$(x /bin/sh -c 'readlink /proc/1/exe; /bin/vs-attack fd 9 9</proc/1/exe 2>&1')
diag "the guest's init: $r"
cond "the guest's init runs the helper from a read-only mount too" grep -q 'fchmod=EROFS' <<<"$r"

# --- 2. descriptors the admin hands in -------------------------------------
f=$T/attack-out; echo keep >"$f"; chmod 644 "$f"
x /bin/vs-attack fd 1 >"$f" 2>"$OUT.fd"
diag "guest's view of a redirected stdout: $(cat "$OUT.fd")"
cond "a host file as stdout reaches the guest as a pipe" grep -q '^type=fifo' "$OUT.fd"
cond "... whose mode and owner the guest cannot change" test "$(stat -c '%a %u' "$f")" = "644 0"
x /bin/vs-attack fd 0 <"$f" >"$OUT.fd" 2>&1
cond "a host file as stdin reaches the guest as a pipe" grep -q '^type=fifo' "$OUT.fd"
cond "... and stays unchanged" test "$(stat -c '%a %u' "$f")" = "644 0"
echo keep >"$f"
check_out "standard input is still delivered" '^keep$' x /bin/cat <"$f"
check_out "output and errors keep their order when they are one file" '^a b c$' \
	bash -c "'$VS' '$g' exec /bin/sh -c 'echo a; echo b >&2; echo c' 2>&1 | tr '\n' ' ' | sed 's/ \$//'"
x /bin/vs-attack fd 1 </dev/null >/dev/null 2>"$OUT.fd"
cond "/dev/null becomes the guest's own /dev/null" grep -q '^type=chr-1-3' "$OUT.fd"

# --- 3. the admin's terminal ---------------------------------------------
# Under a pty of the host (python3), exec gets no terminal at all, and a
# process left behind by exec or enter does not read the admin's next line.
if command -v python3 >/dev/null; then
	cat >"$T/ptyrun.py" <<'EOF'
import os, pty, subprocess, sys, time
vs, g, mode, v = sys.argv[1:5]
m, s = pty.openpty()
if mode == "exec":
    args = [vs, g, "exec", "/bin/sh", "-c", "/bin/vs-attack tty; /bin/vs-attack linger 6 /tmp/linger"]
else:
    args = [vs, g, "enter"]
p = subprocess.Popen(args, stdin=s, stdout=s, stderr=s, start_new_session=True)
os.close(s)
if mode == "enter":
    os.write(m, b"/bin/vs-attack linger 6 /tmp/linger &\n")
    time.sleep(1)
    os.write(m, b"exit 0\n")
out = b""
def drain():
    global out
    import select
    while select.select([m], [], [], 0.2)[0]:
        try:
            d = os.read(m, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
t = time.time()
while p.poll() is None and time.time() - t < 30:
    drain()
drain()
if p.poll() is None:
    p.kill()
    print("hung")
    sys.exit(0)
# the command has ended (exec/enter returned): the admin types on
lin = open(v + "/tmp/linger").read() if os.path.exists(v + "/tmp/linger") else ""
print("returned", "survivor-running" if "start" in lin and "end" not in lin else "survivor-gone")
os.write(m, b"SECRET-NEXT-LINE\n")
t = time.time()
while time.time() - t < 15:
    lin = open(v + "/tmp/linger").read()
    if "end" in lin:
        break
    time.sleep(0.3)
print("stolen" if "SECRET" in lin else "not-stolen")
print(out.decode(errors="replace").replace("\r", ""))
EOF
	for mode in exec enter; do
		rm -f "$V/tmp/linger"
		r=$(python3 "$T/ptyrun.py" "$VS" "$g" $mode "$V" 2>&1)
		diag "$mode under a pty: $(echo $r)"
		cond "$mode: returns when the command ends, a process left behind notwithstanding" \
			grep -q '^returned survivor-running' <<<"$r"
		cond "$mode: that process cannot read the admin's next input" grep -qx 'not-stolen' <<<"$r"
		[ $mode = exec ] && cond "exec under a terminal: the command gets no terminal" \
			grep -qx 'tty=' <<<"$r"
	done
else
	skip "exec and enter under a terminal" "python3 is not installed"
fi

# --- 4. the kernel log ----------------------------------------------------
r=$(x /bin/vs-attack syslog)
if grep -q '^Seccomp:' /proc/self/status; then
	cond "syslog(2) is refused with EPERM although CAP_SYSLOG is granted ($r)" \
		test "$r" = "size=EPERM read=EPERM"
	check_out "guest processes run under the seccomp filter, without no_new_privs" \
		'^Seccomp:.2 NoNewPrivs:.0$' x /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | sort -r | tr "\n" " " | sed "s/ \$//"'
elif [ "$VS_BACKEND" = vx ]; then
	# no seccomp in this kernel: only the context's own refusal can hold
	if [ "$r" = "size=EPERM read=EPERM" ]; then
		ok "syslog(2) is refused with EPERM although CAP_SYSLOG is granted (by the kernel)"
	else
		skip "syslog(2) is refused although CAP_SYSLOG is granted" "this kernel has no seccomp and does not refuse syslog(2) to contexts ($r)"
	fi
	skip "guest processes run under the seccomp filter" "this kernel has no seccomp (CONFIG_SECCOMP)"
else
	skip "syslog(2) is refused although CAP_SYSLOG is granted" "this kernel has no seccomp (CONFIG_SECCOMP); start warns"
	skip "guest processes run under the seccomp filter" "this kernel has no seccomp (CONFIG_SECCOMP)"
fi
check_out "/dev/kmsg does not exist in the guest" '^absent$' x /bin/sh -c 'test -e /dev/kmsg && echo present || echo absent'
check_out "/proc/kmsg is hidden" '^0$' x /bin/sh -c 'wc -c < /proc/kmsg'
check "stop" "$VS" "$g" stop

# --- 5. the cgroup ------------------------------------------------------------
# With CAP_SYS_ADMIN granted, the guest mounts cgroup2: it sees its leaf,
# never the cgroup that carries its limits.
echo 'SYS_ADMIN' >"$VSERVER_CONFDIR/$g/bcapabilities"
have_controller memory && { mkdir -p "$VSERVER_CONFDIR/$g/limits"; echo 64M >"$VSERVER_CONFDIR/$g/limits/memory"; }
check "start (with CAP_SYS_ADMIN granted)" "$VS" "$g" start
cg=$(guest_cg "$g")
echo 7 >"$cg/cgroup.max.descendants"
lim=$(cat "$cg/memory.max" 2>/dev/null)
r=$(x /bin/sh -c 'mkdir -p /mnt/cg && mount -t cgroup2 none /mnt/cg && {
	echo "desc=$(cat /mnt/cg/cgroup.max.descendants)"; test -e /mnt/cg/memory.max && echo has-memory.max
	echo max > /mnt/cg/cgroup.max.descendants; echo max > /mnt/cg/memory.max; echo done; }' 2>&1)
diag "guest with cgroup2 mounted: $(echo $r)"
if grep -q done <<<"$r"; then
	cond "the guest's cgroup namespace is rooted below its limits" grep -q '^desc=max' <<<"$r"
	cond "... it cannot see memory.max" not grep -q has-memory.max <<<"$r"
elif grep -Eq 'mount: .*(denied|not permitted)' <<<"$r"; then
	ok "the guest cannot mount cgroup2 at all (refused by the kernel)"
else
	nok "the guest's cgroup namespace is rooted below its limits" "unexpected: $r"
fi
cond "the limits on the guest's cgroup are unchanged" \
	test "$(cat "$cg/cgroup.max.descendants") $(cat "$cg/memory.max" 2>/dev/null)" = "7 $lim"
check "stop still finds every process" "$VS" "$g" stop
cond "... and removes the cgroup with its leaf" not cg_dir_exists "$g"
finish
