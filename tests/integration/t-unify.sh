# Unification on a stock kernel: build -m clone --unify (overlay, reflink),
# the shared base's life, vserver NAME du, vserver-hashify.
. "$VS_TESTDIR/lib.sh"

HASHIFY=$VSB/tools/vserver-hashify
s=$(gname src)
check "build the source" new_guest "$s"
V=$(vdir "$s")
echo data >"$V/root/marker"
BASE=$VSERVER_VDIRBASE/.unify/base/$s

# ---- refusals (whatever the kernel offers) ---------------------------------
x=$(gname x)
check_msg 2 "--unify with an unknown mode is refused" "unknown --unify mode 'bogus'" \
	"$VS" "$x" build -m clone --unify=bogus -- --source "$s"
check_msg 2 "--unify without -m clone is refused" "--unify needs the clone method" \
	"$VS" "$x" build -m busybox --unify
cond "... and nothing is made" test ! -e "$VSERVER_CONFDIR/$x"

# ---- overlay -----------------------------------------------------------------
a=$(gname a)
b=$(gname b)
if ! grep -qw overlay /proc/filesystems; then
	skip "overlay unification" "this kernel has no overlayfs (no 'overlay' in /proc/filesystems; CONFIG_OVERLAY_FS)"
	check_msg 1 "--unify=overlay says the kernel lacks overlayfs" "no overlayfs" \
		"$VS" "$x" build -m clone --unify=overlay -- --source "$s"
	cond "... and nothing is made" test ! -e "$VSERVER_CONFDIR/$x"
else
	GUESTS+=("$a" "$b")
	check "build -m clone --unify=overlay" "$VS" "$a" build -m clone --unify=overlay -- --source "$s"
	cond "the base is made from the source" test "$(cat "$BASE/root/marker" 2>/dev/null)" = data
	cond "the guest root holds nothing of its own on the host" test -z "$(ls -A "$(vdir "$a")")"
	check_msg 3 "status says overlay and the base" "unified: overlay over base $BASE \\(from $s, used by 1 guest\\)" \
		"$VS" "$a" status
	check_out "a second clone shares the existing base" "sharing the existing base" \
		"$VS" "$b" build -m clone -- --source "$s" --unify=overlay
	check_msg 3 "... and status counts two users" "used by 2 guests" "$VS" "$b" status
	check_msg 1 "cloning an overlay guest is refused (its root on the host is empty)" \
		"'$a' is an overlay guest: its files are in its layers" \
		"$VS" "$x" build -m clone -- --source "$a"
	cond "... and nothing is made" test ! -e "$VSERVER_CONFDIR/$x"
	if [ "$VS_BACKEND" = vx ]; then
		# known gap (docs/unification.md): in a vx context the patched
		# kernel refuses exec through the guest's overlay (EPERM)
		skip "the overlay guest starts and shares the base" \
			"vx: exec through an overlay root is refused by the patched kernel (EPERM), not yet resolved"
	else
		check "the overlay guest starts" "$VS" "$a" start
		check_out "... sees the source's files" "^data\$" "$VS" "$a" exec cat /root/marker
		check_out "... has its own host name file" "^$a\$" "$VS" "$a" exec cat /etc/hostname
		check "... writes a shared file" "$VS" "$a" exec sh -c 'echo mine >/root/marker'
		check_out "... and reads its own copy" "^mine\$" "$VS" "$a" exec cat /root/marker
		cond "the base keeps the original" test "$(cat "$BASE/root/marker")" = data
		cond "the source keeps the original" test "$(cat "$V/root/marker")" = data
		cond "the copy is in the guest's upper layer" \
			test "$(cat "$VSERVER_VDIRBASE/.unify/guest/$a/upper/root/marker")" = mine
		check "the second guest starts alongside" "$VS" "$b" start
		check_out "... and sees the original" "^data\$" "$VS" "$b" exec cat /root/marker
		check "stop both" sh -c "'$VS' '$a' stop && '$VS' '$b' stop"
	fi
	cond "no overlay mount is left on the host" not mounted_anywhere "$(vdir "$a")"
	"$VS" "$a" du --bytes >"$OUT" 2>&1
	sh_a=$(sed -n 's/.* shared=\([0-9]*\) .*/\1/p' "$OUT"); pr_a=$(sed -n 's/.* private=\([0-9]*\) .*/\1/p' "$OUT")
	cond "du: the base is shared, the guest's own bytes are few (shared $sh_a, private $pr_a)" \
		test "${sh_a:-0}" -gt 1000000 -a "${pr_a:-1}" -lt "${sh_a:-0}"
	check "delete the first overlay guest" "$VS" "$a" delete
	cond "... its layers go" test ! -e "$VSERVER_VDIRBASE/.unify/guest/$a"
	cond "... the base stays: another guest uses it" test -d "$BASE/root"
	check_msg 3 "... which status now counts once" "used by 1 guest\\)" "$VS" "$b" status
	check "delete the last user" "$VS" "$b" delete
	cond "... removes the base" test ! -e "$BASE"
	# a build killed part-way: a half-made base and an incomplete guest
	mkdir -p "$VSERVER_VDIRBASE/.unify/base/$s.tmp-99999/half"
	check "a build after a killed one" "$VS" "$a" build -m clone --unify=overlay -- --source "$s"
	cond "... removes the half-made base" test ! -e "$VSERVER_VDIRBASE/.unify/base/$s.tmp-99999"
	echo building >"$VSERVER_CONFDIR/$a/incomplete"
	check_msg 1 "an incomplete overlay guest refuses to start" "incomplete" "$VS" "$a" start
	check "... and its delete converges" "$VS" "$a" delete
	cond "... removing its layers and the base" \
		test ! -e "$VSERVER_VDIRBASE/.unify/guest/$a" -a ! -e "$BASE"
fi

# ---- reflink and hashify on xfs --------------------------------------------------
fstype=$(stat -f -c %T "$VSERVER_VDIRBASE")
if [ "$fstype" = xfs ] || [ "$fstype" = btrfs ]; then
	skip "refusals where the file system cannot share" "$VSERVER_VDIRBASE is $fstype"
else
	cp "$V/bin/busybox" "$V/root/busybox.copy"
	check_msg 1 "hashify on a file system without dedupe ($fstype) says so" \
		"cannot share extents between files \\(FIDEDUPERANGE: " \
		"$HASHIFY" "$V"
	cond "... and changes nothing" cmp -s "$V/bin/busybox" "$V/root/busybox.copy"
	rm -f "$V/root/busybox.copy"
	check_msg 1 "--unify=reflink off xfs/btrfs is refused" "cannot share extents \\(FICLONE" \
		"$VS" "$x" build -m clone --unify=reflink -- --source "$s"
	cond "... and nothing is made" test ! -e "$VSERVER_CONFDIR/$x" -a ! -e "$(vdir "$x")"
fi

X=$T/xfs
why=""
if ! command -v mkfs.xfs >/dev/null; then why="mkfs.xfs is not installed (xfsprogs)"
elif ! truncate -s 600M "$T/xfs.img" || ! mkfs.xfs -q -m reflink=1 "$T/xfs.img" >"$OUT" 2>&1; then
	why="mkfs.xfs failed: $(head -c 200 "$OUT")"
elif ! mkdir -p "$X" || ! mount -o loop "$T/xfs.img" "$X" >"$OUT" 2>&1; then
	why="cannot mount a loop device here: $(head -c 200 "$OUT")"
fi
if [ -n "$why" ]; then
	skip "reflink and hashify on xfs" "$why"
else
	r1=$(gname r1); r2=$(gname r2); r3=$(gname r3); p1=$(gname p1); p2=$(gname p2)
	GUESTS+=("$r1" "$r2" "$r3" "$p1" "$p2")
	xs=$(gname xsrc)
	GUESTS+=("$xs")
	check "a source guest on xfs" "$VS" -q "$xs" build -m busybox --vdir "$X/$xs"
	echo data >"$X/$xs/root/marker"
	check "build -m clone --unify=reflink" "$VS" "$r1" build -m clone --vdir "$X/$r1" --unify=reflink -- --source "$xs"
	check_msg 3 "status says reflink and the source" "unified: reflink \\(file extents shared with $xs's" \
		"$VS" "$r1" status
	check_out "--unify=auto picks reflink on xfs" "unified by reflink" \
		"$VS" "$r2" build -m clone --vdir "$X/$r2" --unify -- --source "$xs"
	cond "the files are the same" cmp -s "$X/$r1/bin/busybox" "$X/$xs/bin/busybox"
	"$VS" "$r1" du --bytes >"$OUT" 2>&1
	sh=$(sed -n 's/.* shared=\([0-9]*\) .*/\1/p' "$OUT"); al=$(sed -n 's/.* allocated=\([0-9]*\) .*/\1/p' "$OUT")
	cond "du: most of the clone is shared (shared $sh of $al allocated)" test "${sh:-0}" -gt $(( ${al:-1} / 2 ))
	check "the reflink clone starts" "$VS" "$r1" start
	check "... writes a shared file" "$VS" "$r1" exec sh -c 'echo mine >>/root/marker'
	check "... stops" "$VS" "$r1" stop
	cond "the source keeps its content" test "$(cat "$X/$xs/root/marker")" = data
	cond "the clone has its own" test "$(tail -n 1 "$X/$r1/root/marker")" = mine
	check "delete a reflink clone" "$VS" "$r1" delete
	cond "... the source is untouched" cmp -s "$X/$r2/bin/busybox" "$X/$xs/bin/busybox"

	# hashify: two independent builds hold copies of one busybox
	check "two plain busybox guests on xfs" sh -c "'$VS' -q '$p1' build -m busybox --vdir '$X/$p1' && '$VS' -q '$p2' build -m busybox --vdir '$X/$p2'"
	"$VS" "$p2" du --bytes >"$OUT" 2>&1
	before=$(sed -n 's/.* shared=\([0-9]*\) .*/\1/p' "$OUT")
	sums=$(cd "$X" && find "$p1" "$p2" -type f -exec sha256sum {} + | sort)
	check_out "vserver-hashify shares the identical files" "bytes: shared_now=[1-9]" "$HASHIFY" "$X/$p1" "$X/$p2"
	"$VS" "$p2" du --bytes >"$OUT" 2>&1
	after=$(sed -n 's/.* shared=\([0-9]*\) .*/\1/p' "$OUT")
	cond "du: shared bytes grow (before $before, after $after)" test "${after:-0}" -gt "${before:-0}"
	cond "no file changed in content" test "$(cd "$X" && find "$p1" "$p2" -type f -exec sha256sum {} + | sort)" = "$sums"
	check_out "a rerun converges: nothing new, all shared already" "bytes: shared_now=0 already=[1-9]" \
		"$HASHIFY" "$X/$p1" "$X/$p2"
	cond "/etc is excluded by default (not shared)" \
		not sh -c "filefrag -v '$X/$p2/etc/init.d/rcS' 2>/dev/null | grep -q shared"
	check_out "--dry-run after --no-default-excludes would share /etc" "would share [^0]" \
		"$HASHIFY" -n --no-default-excludes "$X/$p1" "$X/$p2"
	check_out "--all takes every guest's root (dry run)" "[1-9][^ ]* were shared already" \
		"$HASHIFY" -n --all
	check_msg 2 "--all with directories is a usage error" "exclude each other" "$HASHIFY" --all "$X/$p1"
	check_msg 2 "a bad --exclude is a usage error" "not a path below the tree's root" \
		"$HASHIFY" -x etc "$X/$p1"
	for g in "$r2" "$p1" "$p2" "$xs"; do "$VS" -q "$g" delete >/dev/null 2>&1; done
	umount "$X"
fi
finish
