# Configuration trust rules and settable roots.
. "$VS_TESTDIR/lib.sh"

g=$(gname c)
check "build" new_guest "$g"
C=$VSERVER_CONFDIR/$g
chmod g+w "$C/context"
check_msg 1 "a group-writable config file is refused" "writable by group or others" "$VS" "$g" start
chmod 644 "$C/context"
chmod o+w "$C"
check_msg 1 "a world-writable guest directory is refused" "writable by group or others" "$VS" "$g" start
chmod 755 "$C"
chown 65534 "$C/apps/init/style"
check_msg 1 "a config file not owned by root is refused" "owned by uid 65534" "$VS" "$g" start
chown 0 "$C/apps/init/style"
mv "$C/apps/init/style" "$T/style"
ln -s "$T/style" "$C/apps/init/style"
check_msg 1 "a config file that is a symbolic link is refused" "symbolic link" "$VS" "$g" start
rm "$C/apps/init/style"; mv "$T/style" "$C/apps/init/style"
mv "$C/apps" "$T/apps"; ln -s "$T/apps" "$C/apps"
check_msg 1 "a config directory that is a symbolic link is refused" "symbolic link" "$VS" "$g" start
rm "$C/apps"; mv "$T/apps" "$C/apps"
mkfifo "$C/flags"
check_msg 1 "a FIFO instead of a file is refused (and does not hang)" "not a regular file" \
	timeout 10 "$VS" "$g" start
rm "$C/flags"
echo 'virt_mem,no_such_flag' >"$C/flags"
check_msg 1 "an unknown flag is named" "unknown context flag 'no_such_flag'" "$VS" "$g" start
rm "$C/flags"
echo abc >"$C/context"; cp "$C/context" "$T/ctx.bak"
check_msg 1 "a bad context id is named with its file" "$g/context: 'abc' is not a context id" "$VS" "$g" start
echo 4000 >"$C/context"
mkdir -p "$C/rlimits"; echo 5 >"$C/rlimits/bogus"
check_msg 1 "an unknown limit is named" "rlimits/bogus: unknown limit" "$VS" "$g" start
rm -rf "$C/rlimits"
mkdir -p "$C/cgroup"; echo 1 >"$C/cgroup/cgroup.procs"
check_msg 1 "an unsupported cgroup setting is refused" "unsupported setting" "$VS" "$g" start
rm -rf "$C/cgroup"
echo 'none /tmp ext4 defaults 0 0' >"$C/fstab"
check_msg 1 "an fstab file system type that is not allowed is refused" "not supported" "$VS" "$g" start
cond "... before anything ran" not running "$g"
echo 'none /proc/sys tmpfs defaults 0 0' >"$C/fstab"
check_msg 1 "an fstab mount over /proc is refused" "not an allowed mount point" "$VS" "$g" start
printf 'tmpfs /mnt/scratch tmpfs size=1m,mode=0700 0 0\n%s /mnt/host none bind,ro 0 0\n' \
	"$VS_TESTDIR" >"$C/fstab"
check "a valid fstab (tmpfs, read-only bind of a host directory)" "$VS" "$g" start
check_out "the tmpfs is mounted" "tmpfs on /mnt/scratch" "$VS" "$g" exec mount
check_out "the bind is there" "lib.sh" "$VS" "$g" exec ls /mnt/host
check_fail "the bind is read-only" "$VS" "$g" exec touch /mnt/host/x
check "stop" "$VS" "$g" stop
rm "$C/fstab"

# Settable roots: options beat the environment, nothing lands in the defaults.
alt=$T/alt
mkdir -p "$alt/etc"
a=$(gname alt)
check "--confdir/--vdirbase/--rundir override the environment" \
	"$VS" --confdir "$alt/etc" --vdirbase "$alt/vs" --rundir "$alt/run" "$a" build -m busybox
cond "... the configuration went to --confdir" test -d "$alt/etc/$a"
cond "... the root went to --vdirbase" test -x "$alt/vs/$a/bin/busybox"
check "... and the guest starts there" "$VS" --confdir "$alt/etc" --vdirbase "$alt/vs" --rundir "$alt/run" "$a" start
cond "... with its state in --rundir" test -e "$alt/run/$a.state"
cond "the run directory is root's alone (0700)" test "$(stat -c %a "$alt/run")" = 700
check "stop" "$VS" --confdir "$alt/etc" --vdirbase "$alt/vs" --rundir "$alt/run" "$a" stop
check "delete" "$VS" --confdir "$alt/etc" --vdirbase "$alt/vs" --rundir "$alt/run" "$a" delete
cond "the real roots were not created by the tests" \
	bash -c "[ -e /etc/vservers/$a ] || [ -e /vservers/$a ] || [ -e /run/vservers/$a.state ] && exit 1; exit 0"
chmod 755 "$VSERVER_RUNDIR"
check_msg 1 "a run directory others can enter is refused" "accessible only by it" "$VS" "$g" start
chmod 700 "$VSERVER_RUNDIR"
finish
