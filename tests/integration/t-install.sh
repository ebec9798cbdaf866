# make install: a live install leaves tools that run (the loader's cache is
# refreshed), a staged one (DESTDIR) leaves the cache alone.  Both happen in
# a private mount namespace with a tmpfs on /usr/local and a copy of /etc
# on /etc, so the machine's own /usr/local and /etc/ld.so.cache never change.
. "$VS_TESTDIR/lib.sh"

if [ -n "${VSERVER_IN_VM:-}" ]; then
	skip "make install" "the VM sees the build tree read-only (make install relinks in it)"
	finish; exit 0
fi
if [ ! -f "$VSB/Makefile" ] || ! command -v make >/dev/null || ! command -v unshare >/dev/null; then
	skip "make install" "needs a configured build tree, make and unshare"
	finish; exit 0
fi
if ! ldconfig -v 2>/dev/null | grep -q '^/usr/local/lib:'; then
	skip "make install" "the dynamic loader does not search /usr/local/lib on this machine"
	finish; exit 0
fi
mkdir -p "$T/inst"
cp -a /etc "$T/inst/etc"

# in_ns SCRIPT: runs SCRIPT (sh) with /usr/local empty and /etc a copy
in_ns() {
	unshare -m sh -ec "mount --make-rprivate /
		mount -t tmpfs inst /usr/local
		mount --bind '$T/inst/etc' /etc
		$1"
}
# everything goes to /usr/local, whatever the build tree was configured for
MK="make -s -C '$VSB' prefix=/usr/local exec_prefix=/usr/local libdir=/usr/local/lib sbindir=/usr/local/sbin"

check_out "live make install runs ldconfig" "ldconfig +\(refreshes" in_ns "$MK install"
check_out "after a live install the installed vserver runs (no LD_LIBRARY_PATH)" "^vserver " \
	in_ns "$MK install >/dev/null; env -i PATH=/usr/bin:/bin /usr/local/sbin/vserver --version"
# the tools have the library linked in (no loader work for it at each
# exec); the shared library is installed for other programs, which the
# loader finds through its cache
check_out "the installed tools do not load libvserver.so" "^dynamic, without libvserver$" \
	in_ns "$MK install >/dev/null; ldd /usr/local/sbin/vserver >'$T/ldd.out';
		grep -q libc.so '$T/ldd.out' && ! grep -q libvserver '$T/ldd.out' &&
		echo 'dynamic, without libvserver'"
if command -v cc >/dev/null; then
	printf '#include <vserver.h>\n#include <stdio.h>\nint main(void) { puts(vs_backend_name(VS_BACKEND_NS)); return 0; }\n' \
		>"$T/uselib.c"
	check_out "a program built against the installed library runs, through the loader's cache" \
		"libvserver.so.0 => /usr/local/lib/libvserver.so.0.*RAN ns" \
		in_ns "$MK install >/dev/null; cc -I/usr/local/include -o '$T/uselib' '$T/uselib.c' \
			-L/usr/local/lib -lvserver; echo \$(ldd '$T/uselib' | grep libvserver) RAN \$(env -i '$T/uselib')"
else
	skip "a program built against the installed library runs" "no C compiler"
fi
check_out "the installed library is in the loader's cache" "libvserver.so.0 .*/usr/local/lib/" \
	in_ns "$MK install >/dev/null; ldconfig -p"

# staged: nothing is run on the build machine
stage=$T/inst/stage
check_out "DESTDIR install does not run ldconfig" "not running ldconfig: staged" \
	in_ns "sum0=\$(md5sum </etc/ld.so.cache); $MK install DESTDIR='$stage';
		test \"\$(md5sum </etc/ld.so.cache)\" = \"\$sum0\""
cond "DESTDIR install put the tools under DESTDIR" test -x "$stage/usr/local/sbin/vserver"
cond "and the library" test -e "$stage/usr/local/lib/libvserver.so.0"
cond "and the helper, the unit, the man pages, the completion" test -x \
	"$stage/usr/local/libexec/vserver/vserver-init" -a -f "$stage/usr/local/lib/systemd/system/vservers.service" \
	-a -f "$stage/usr/local/share/man/man8/vserver.8" -a -f "$stage/usr/local/share/bash-completion/completions/vserver"
cond "the staged library is not in the loader's cache" not grep -q "$stage" /etc/ld.so.cache
finish
