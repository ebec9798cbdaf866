# build -m template: what the file system refuses fails the build (only
# the policy refusals of t-template.sh are warnings); sparse members and a
# damaged compressed stream are refused with a message that says so
# (issue 16, items 3, 4 and 10).
. "$VS_TESTDIR/lib.sh"

# 3: an archive with more files than the target file system has inodes
g=$(gname full)
GUESTS+=("$g")
mkdir -p "$T/small" "$T/many/etc"
for i in $(seq 1 400); do echo "$i" >"$T/many/etc/f$i"; done
tar -C "$T/many" -cf "$T/many.tar" .
if mount -t tmpfs -o size=8m,nr_inodes=200 vs-it-small "$T/small" 2>"$OUT"; then
	check_refused "a template larger than the file system's inodes fails the build" \
		"No space left on device" "$VS" "$g" build -m template --vdir "$T/small/$g" -- --source "$T/many.tar"
	cond "... and the guest is not left as built" \
		test ! -e "$VSERVER_CONFDIR/$g" -o -e "$VSERVER_CONFDIR/$g/.incomplete"
	check_fail "... it does not start" "$VS" "$g" start
	umount "$T/small"
else
	skip "a template larger than the file system's inodes fails the build" "cannot mount a tmpfs: $(cat "$OUT")"
fi

# 4: sparse members, GNU and pax formats
if tar --version 2>/dev/null | grep -q GNU; then
	mkdir -p "$T/sp"
	truncate -s 64M "$T/sp/big" && echo tail >>"$T/sp/big"
	for fmt in gnu pax; do
		tar -C "$T/sp" --sparse --format=$fmt -cf "$T/sparse-$fmt.tar" big
		g=$(gname "sp$fmt")
		GUESTS+=("$g")
		check_refused "a $fmt sparse member refuses the archive" "sparse.*not supported" \
			"$VS" "$g" build -m template -- --source "$T/sparse-$fmt.tar"
		cond "... and nothing else is extracted in its place" \
			test ! -e "$VSERVER_CONFDIR/$g" -a ! -e "$(vdir "$g")"
	done
else
	skip "sparse members" "GNU tar is not installed"
fi

# 10: a damaged gzip stream is reported as such, not as an empty archive
g=$(gname gz)
GUESTS+=("$g")
{ printf '\037\213\010\000'; head -c 4000 /dev/urandom; } >"$T/bad.tar.gz"
check_refused "a damaged gzip stream is reported as damaged" "gzip stream is damaged" \
	"$VS" "$g" build -m template -- --source "$T/bad.tar.gz"
cond "... not as an empty archive" not grep -q "archive is empty" "$OUT"
finish
