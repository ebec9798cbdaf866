# Persistent inode attributes (vfattr, get/set_iattr): the vx kernel keeps
# them in security.vserver and enforces them for the host and guests.  On
# a kernel without the vserver system call vfattr must say so.
. "$VS_TESTDIR/lib.sh"

VF=$VSB/tools/vfattr
if ! "$VINFO" apiver >/dev/null 2>&1; then
	check_msg 1 "vfattr says the kernel lacks the interface" "no vserver system call" \
		"$VF" /
	skip "persistent inode attributes" "backend $VS_BACKEND on a kernel without the vserver system call (they need the vx kernel's LSM; runs in the VM)"
	finish; exit 0
fi

# A tmpfs of our own: tmpfs keeps security.* xattrs (CONFIG_TMPFS_XATTR),
# and nothing outside this test sees the immutable files.
D=$T/fsattr
mkdir -p "$D"
if ! mount -t tmpfs vsfsattr "$D" 2>"$OUT"; then
	skip "persistent inode attributes" "cannot mount a tmpfs: $(cat "$OUT")"
	finish; exit 0
fi
cleanup_fsattr() { umount -l "$D" 2>/dev/null; }
trap cleanup_fsattr EXIT
mkdir -p "$D/b/root" "$D/dir"
echo content >"$D/f"
echo other >"$D/g"

check_out "a new file has no attribute" '^- +'"$D/f"'$' "$VF" "$D/f"
check "the host sets immutable" "$VF" --set immutable "$D/f"
check_out "... vfattr shows it" '^immutable +'"$D/f"'$' "$VF" "$D/f"
check_refused "... the host cannot write it" "Operation not permitted" sh -c "echo x >>'$D/f'"
check_refused "... nor remove it" "Operation not permitted" rm -f "$D/f"
check_refused "... nor chmod it" "Operation not permitted" chmod 600 "$D/f"
cond "... and its content is intact" test "$(cat "$D/f")" = content

# a guest root (a new context, every capability it may keep); a started
# guest has no vserver system call at all, one still in setup has it
in_guest() { "$VSB/tools/vcontext" --create --xid 4461 --endsetup -- "$@"; }
in_setup() { "$VSB/tools/vcontext" --create --xid 4462 -- "$@"; }
check_refused "a guest root cannot write it" "Operation not permitted" \
	in_guest sh -c "echo x >>'$D/f'"
check_refused "... nor remove it" "Operation not permitted" in_guest rm -f "$D/f"
check_msg 1 "... nor clear the attribute (started: no vserver system call)" \
	"no vserver system call" in_guest "$VF" --set '~immutable' "$D/f"
check_msg 1 "... nor in setup" "$D/f: not permitted \(only the host context" \
	in_setup "$VF" --set '~immutable' "$D/f"
check_msg 1 "... nor set one" "$D/g: not permitted" in_setup "$VF" --set immutable "$D/g"
# the xattr itself, through Python's os.removexattr/os.setxattr (attr's
# setfattr is not a dependency)
PY=/usr/bin/python3
if [ -x "$PY" ]; then
	check_refused "... nor remove security.vserver" "Operation not permitted" \
		in_guest "$PY" -c 'import os, sys; os.removexattr(sys.argv[1], "security.vserver")' "$D/f"
	check_refused "... nor overwrite it" "Operation not permitted" \
		in_guest "$PY" -c 'import os, sys; os.setxattr(sys.argv[1], "security.vserver", bytes(4))' "$D/f"
else
	skip "a guest writing security.vserver" "no $PY (the kselftest fsattr_test covers it)"
fi
check_out "... the attribute is still there" '^immutable ' "$VF" "$D/f"

check "ixunlink on another file" "$VF" --set ixunlink "$D/g"
check_refused "... a guest cannot write it" "Operation not permitted" \
	in_guest sh -c "echo x >>'$D/g'"
check "... but may remove it" in_guest rm "$D/g"
cond "... which is gone" test ! -e "$D/g"

check "barrier on a directory" "$VF" --set barrier "$D/b"
check_out "... shown" '^barrier +'"$D/b"'$' "$VF" "$D/b"
check_refused "... a guest cannot enter it" "Operation not permitted|Permission denied" \
	in_guest ls "$D/b"
check "... the host can" ls "$D/b"
check_msg 1 "barrier on a file is refused" "invalid for this file" "$VF" --set barrier "$D/f"
check_msg 1 "a file system without xattrs cannot keep them" "cannot keep inode attributes" \
	"$VF" --set immutable /proc/sys/kernel/hostname
check_msg 1 "a missing path is named" "$D/nonexistent: No such file" "$VF" "$D/nonexistent"

check "the host clears immutable" "$VF" --set '~immutable' "$D/f"
check_out "... none left" '^- ' "$VF" "$D/f"
check "... and may remove the file" rm "$D/f"
check "... and the barrier" "$VF" --set '~barrier' "$D/b"
check "... which a guest may then enter" in_guest ls "$D/b"
finish
