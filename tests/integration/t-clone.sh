# build -m clone: a faithful copy of a stopped guest.
. "$VS_TESTDIR/lib.sh"

s=$(gname src)
d=$(gname dst)
GUESTS+=("$d")
check "build the source" new_guest "$s" --context 900
V=$(vdir "$s")
echo data >"$V/root/marker"
ln "$V/root/marker" "$V/root/marker.hard"
chmod 4755 "$V/bin/vs-probe"
check "the source starts" "$VS" "$s" start
# (a running source is cloned frozen: t-clone-live.sh)
check "stop the source" "$VS" "$s" stop
mkdir -p "$VSERVER_CONFDIR/$s/rlimits"; echo 256 >"$VSERVER_CONFDIR/$s/rlimits/nofile"
# a sparse file (1 GiB of hole, data at both ends)
truncate -s 1G "$V/root/sparse"; echo head | dd of="$V/root/sparse" conv=notrunc 2>/dev/null
echo tail >>"$V/root/sparse"
check "build -m clone" "$VS" "$d" build -m clone -- --source "$s"
W=$(vdir "$d")
mib=$(sed -n 's/.*copied [0-9][0-9]* files, \([0-9.]*\) MiB of data.*/\1/p' "$OUT")
diag "clone: $(grep 'copied' "$OUT")"
cond "the clone reports what it copied: files and data, not the 1 GiB of hole ($mib MiB)" \
	awk -v m="${mib:-x}" 'BEGIN { exit !(m ~ /^[0-9.]+$/ && m + 0 > 0 && m + 0 < 256) }'
cond "a sparse file keeps its size" test "$(stat -c %s "$W/root/sparse")" = "$(stat -c %s "$V/root/sparse")"
cond "... and its holes (allocated: $(stat -c %b "$W/root/sparse") blocks)" \
	test "$(stat -c %b "$W/root/sparse")" -le $(( $(stat -c %b "$V/root/sparse") + 64 ))
cond "... and its data" cmp -s "$W/root/sparse" "$V/root/sparse"
cond "the files are copied" test "$(cat "$W/root/marker")" = data
cond "hard links stay hard links" test "$(stat -c %i "$W/root/marker")" = "$(stat -c %i "$W/root/marker.hard")"
cond "symbolic links are copied as links" test "$(readlink "$W/bin/sh")" = /bin/busybox
cond "modes, set-user-id included, are kept" test "$(stat -c %a "$W/bin/vs-probe")" = 4755
cond "the clone has its own context id" test "$(cat "$VSERVER_CONFDIR/$d/context")" != 900
cond "the configuration is copied (init style)" test "$(cat "$VSERVER_CONFDIR/$d/apps/init/style")" = sysv
cond "... (limits)" test "$(cat "$VSERVER_CONFDIR/$d/rlimits/nofile")" = 256
cond "... but the clone has its own host name" test "$(cat "$W/etc/hostname")" = "$d"
rm -rf "$VSERVER_CONFDIR/$s/rlimits" "$VSERVER_CONFDIR/$d/rlimits"	# not every kernel has them
check "the clone starts" "$VS" "$d" start
check_out "... and runs as itself" "^$d\$" "$VS" "$d" exec hostname
check "the source starts alongside" "$VS" "$s" start
check "stop the clone" "$VS" "$d" stop
check "stop the source" "$VS" "$s" stop
check_msg 1 "cloning a missing guest fails" "does not exist" \
	"$VS" "$(gname none)" build -m clone -- --source "$(gname nosuch)"
cond "... and leaves nothing" test ! -e "$VSERVER_CONFDIR/$(gname none)" -a ! -e "$(vdir "$(gname none)")"
check_msg 2 "a guest cannot be cloned from itself" "from itself" "$VS" "$s" build -m clone --force -- --source "$s"
check_msg 2 "clone needs --source" "needs --source" "$VS" "$(gname none)" build -m clone
finish
