# build -m template: archives are untrusted; every dangerous member is
# refused or neutralised, and said so.
. "$VS_TESTDIR/lib.sh"

if ! command -v python3 >/dev/null; then
	skip "template archives" "python3 (used to craft hostile archives) is not installed"
	finish; exit 0
fi
mkdir -p "$T/outside"
python3 - "$T" <<'EOS'
import io, sys, tarfile
T = sys.argv[1]
def add(tf, name, type=tarfile.REGTYPE, data=b"", mode=0o644, link="", dev=(0, 0)):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.linkname, ti.uid, ti.gid = type, mode, link, 0, 0
    ti.devmajor, ti.devminor = dev
    ti.size = len(data) if type == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if type == tarfile.REGTYPE else None)
def evil(path, fmt, mode="w"):
    with tarfile.open(path, mode, format=fmt) as tf:
        add(tf, "./", tarfile.DIRTYPE, mode=0o755)
        add(tf, "etc", tarfile.DIRTYPE, mode=0o755)
        add(tf, "etc/motd", data=b"hello\n")
        add(tf, "/abs/file", data=b"abs\n")
        add(tf, "../escape", data=b"x")
        add(tf, "a/../../escape2", data=b"x")
        add(tf, "dev/sda", tarfile.BLKTYPE, mode=0o660, dev=(8, 0))
        add(tf, "dev/mem2", tarfile.CHRTYPE, mode=0o666, dev=(1, 1))
        add(tf, "bin/suid", data=b"#!/bin/sh\n", mode=0o4755)
        add(tf, "bin/sgid", data=b"#!/bin/sh\n", mode=0o2755)
        add(tf, "lnk", tarfile.SYMTYPE, link="/etc/motd")
        add(tf, "ok-rel", tarfile.SYMTYPE, link="etc/motd")
        add(tf, "rel-escape", tarfile.SYMTYPE, link="../../../../../etc/passwd")
        add(tf, "trap", tarfile.SYMTYPE, link=T + "/outside")
        add(tf, "trap/pwned", data=b"pwned\n")
        add(tf, "hard-ok", tarfile.LNKTYPE, link="etc/motd")
        add(tf, "hard-out", tarfile.LNKTYPE, link="../../../etc/passwd")
        add(tf, "fifo", tarfile.FIFOTYPE)
        add(tf, "deep/" + "d" * 120 + "/" + "f" * 120, data=b"long\n")
evil(T + "/evil.tar", tarfile.PAX_FORMAT)
evil(T + "/evil-gnu.tar.gz", tarfile.GNU_FORMAT, "w:gz")
open(T + "/garbage.tar", "wb").write(b"this is not a tar archive\n" * 100)
data = open(T + "/evil.tar", "rb").read()
open(T + "/truncated.tar", "wb").write(data[:1536 + 100])
open(T + "/empty.tar", "wb").close()
EOS
for arch in evil.tar evil-gnu.tar.gz; do
	g=$(gname "t${#arch}")
	GUESTS+=("$g")
	V=$(vdir "$g")
	check "build -m template from $arch" "$VS" "$g" build -m template -- --source "$T/$arch"
	msgs=$(cat "$OUT")
	cond "$arch: regular content is extracted" test "$(cat "$V/etc/motd")" = hello
	cond "$arch: an absolute member lands inside the root" test -f "$V/abs/file"
	cond "$arch: ... and it is reported as neutralised" grep -q "/abs/file: absolute path" <<<"$msgs"
	cond "$arch: '..' members are refused" test ! -e "$VSERVER_VDIRBASE/escape" -a ! -e "$T/escape2" \
		-a ! -e "$VSERVER_VDIRBASE/escape2"
	cond "$arch: ... and reported" grep -q "\.\./escape: refused" <<<"$msgs"
	cond "$arch: device nodes are refused" test ! -e "$V/dev/sda" -a ! -e "$V/dev/mem2"
	cond "$arch: ... and reported" grep -q "dev/sda: device node refused" <<<"$msgs"
	cond "$arch: set-user-id is removed" test "$(stat -c %a "$V/bin/suid")" = 755
	cond "$arch: set-group-id is removed" test "$(stat -c %a "$V/bin/sgid")" = 755
	cond "$arch: ... and reported" grep -q "bin/suid: set-user-id/set-group-id bits removed" <<<"$msgs"
	cond "$arch: an absolute symlink is kept (it resolves inside the guest)" \
		test "$(readlink "$V/lnk")" = /etc/motd
	cond "$arch: a relative symlink inside is kept" test "$(readlink "$V/ok-rel")" = etc/motd
	cond "$arch: a symlink climbing out of the root is refused" test ! -L "$V/rel-escape"
	cond "$arch: ... and reported" grep -q "rel-escape: symbolic link .* leaves the guest root" <<<"$msgs"
	cond "$arch: nothing is written through a planted link" test ! -e "$T/outside/pwned"
	cond "$arch: ... and that member is reported" grep -q "trap/pwned: refused" <<<"$msgs"
	cond "$arch: a hard link inside is kept" test "$(stat -c %i "$V/hard-ok")" = "$(stat -c %i "$V/etc/motd")"
	cond "$arch: a hard link to outside is refused" test ! -e "$V/hard-out"
	cond "$arch: FIFOs are kept" test -p "$V/fifo"
	cond "$arch: long names are supported" test "$(cat "$V"/deep/*/*)" = long
	cond "$arch: a summary counts refused and neutralised members" \
		grep -Eq "[0-9]+ entries refused, [0-9]+ neutralised" <<<"$msgs"
done
b=$(gname bad)
for arch in garbage.tar truncated.tar empty.tar missing.tar; do
	check_fail "a bad archive ($arch) fails the build" "$VS" "$b" build -m template -- --source "$T/$arch"
	cond "... and leaves nothing" test ! -e "$VSERVER_CONFDIR/$b" -a ! -e "$(vdir "$b")"
done
check_msg 1 "a damaged archive is named as such" "not a tar archive, or damaged" \
	"$VS" "$b" build -m template -- --source "$T/garbage.tar"
check_msg 1 "a truncated archive is named as such" "truncated" \
	"$VS" "$b" build -m template -- --source "$T/truncated.tar"
# a real template: a busybox guest's tree, packed and unpacked
s=$(gname src)
check "build a busybox guest as the template source" new_guest "$s"
tar -C "$(vdir "$s")" -czf "$T/bb.tar.gz" .
g=$(gname fromtpl)
GUESTS+=("$g")
check "build -m template from a packed busybox tree" "$VS" "$g" build -m template -- -t "$T/bb.tar.gz"
cond "the applet links survive" test "$(readlink "$(vdir "$g")/bin/sh")" = /bin/busybox
cond "the guest's own host name was written" test "$(cat "$(vdir "$g")/etc/hostname")" = "$g"
echo /etc/init.d/rcS >"$VSERVER_CONFDIR/$g/apps/init/cmd.start"
echo sysv >"$VSERVER_CONFDIR/$g/apps/init/style"
check "it starts" "$VS" "$g" start
check_out "it runs commands" "^$g\$" "$VS" "$g" exec hostname
check "it stops" "$VS" "$g" stop
finish
