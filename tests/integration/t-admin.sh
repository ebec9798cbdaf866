# Small things an admin met (issue 16, item 10): messages, refusals, files
# left behind, options of the tools, man pages, install directories.
. "$VS_TESTDIR/lib.sh"
VLIMIT=$VSB/tools/vlimit

g=$(gname a)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
check_msg 1 "build --force of a running guest is refused at once" \
	"is running; stop it before replacing it" "$VS" "$g" build -m busybox --force
cond "... without announcing a replacement first" not grep -q "replacing the existing" "$OUT"
check "... and the guest still runs" "$VS" "$g" status
check "vkill -s 0 is accepted (do the processes exist?)" "$VKILL" -c "$g" -s 0
check "stop" "$VS" "$g" stop
check_refused "vkill -s 0 of a stopped guest says so" "not running" "$VKILL" -c "$g" -s 0

# a vdir that is a link to the host's root
h=$(gname root)
check "build a second guest" new_guest "$h"
ln -s / "$T/to-root"
ln -sfn "$T/to-root" "$VSERVER_CONFDIR/$h/vdir"
check_refused "a vdir linked to / gets the host-root refusal" "host's root, which cannot be a guest root" \
	"$VS" "$h" start
cond "... not a pivot_root error" not grep -q pivot_root "$OUT"
rm "$VSERVER_CONFDIR/$h/vdir"

# delete leaves nothing in the run directory
mkdir -p "$VSERVER_CONFDIR/$g/apps/init" && : >"$VSERVER_CONFDIR/$g/apps/init/monitor"
check "a guest with a monitor starts (it writes NAME.log)" "$VS" "$g" start
check "... stops" "$VS" "$g" stop
cond "... and has its log" test -e "$VSERVER_RUNDIR/$g.log"
check "delete" "$VS" "$g" delete
cond "... removes NAME.log, NAME.lock and NAME.state" test ! -e "$VSERVER_RUNDIR/$g.log" \
	-a ! -e "$VSERVER_RUNDIR/$g.lock" -a ! -e "$VSERVER_RUNDIR/$g.state"

# delete never follows a mount it did not make (issue 15): an admin's bind
# mount of a host directory inside a stopped guest's root (same file
# system, so the device number does not tell), in a private mount namespace
f=$(gname fm)
check "build a guest for the foreign mount" new_guest "$f"
mkdir -p "$T/precious" && echo keep >"$T/precious/file"
mkdir -p "$(vdir "$f")/mnt/a b"
unshare -m --propagation private sh -c "mount --bind '$T/precious' '$(vdir "$f")/mnt/a b' &&
	'$VS' '$f' delete; echo rc=\$?" >"$T/fm.out" 2>&1
diag "$(cat "$T/fm.out")"
cond "delete refuses a guest root with a mount it did not make, saying which" \
	grep -q "mnt/a b is mounted (not by vserver); unmount it before deleting" "$T/fm.out"
cond "... and fails" grep -qx "rc=1" "$T/fm.out"
cond "... the host's files under the mount are untouched" test "$(cat "$T/precious/file")" = keep
cond "... and the guest is intact" test -x "$(vdir "$f")/bin/busybox" -a -d "$VSERVER_CONFDIR/$f" \
	-a ! -e "$VSERVER_CONFDIR/$f/incomplete"
check "... without the mount, delete works" "$VS" "$f" delete

check_out "vserver NAME delete --help prints the help" "^Usage:" "$VS" "$g" delete --help
check_out "vserver NAME start --help likewise" "^Usage:" "$VS" "$g" start --help
check_out "vserver-init --version exits 0" "^vserver-init " "$VSB/init/vserver-init" --version

# man pages
cfg=$VS_SRCDIR/man/vserver-config.5
cond "vserver-config(5) documents ncontext once" test "$(grep -c '^\.B ncontext$' "$cfg")" = 1
cond "... and every entry starts with .TP (apps/init/style does)" \
	test -z "$(awk '/^\.B / && prev != ".TP" { print } { prev = $0 }' "$cfg" | grep -v '^\.B vserver')"
for m in vserver.8 vserver-config.5 vkill.8 vserver-stat.8 vlimit.8; do
	cond "$m has EXAMPLES" grep -q '^\.SH EXAMPLES' "$VS_SRCDIR/man/$m"
done

# completion: every tool that the completion file knows has a link to it
cond "the completion file is installed for vlimit too" \
	grep -qw vlimit <(sed -n '/^COMPLETION_LINKS/,/^$/p' "$VS_SRCDIR/completion/Makefile.am")

# the tarball carries what the README names (make distdir: the tarball's tree)
dd=vs-dist-check.$$
if ! { : >"$VSB/$dd.w"; } 2>/dev/null; then
	# automake makes the tree below the build directory only
	skip "make distdir" "the build tree $VSB is read-only here (the VM's share); checked on the host"
elif [ -f "$VSB/Makefile" ] && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$VSB" distdir distdir="$dd" >"$OUT" 2>&1; then
	for f in README.md kernel-patch/series kernel-patch/build-kernel kernel-patch/config/vserver.config \
		scripts/demo scripts/install-deps tests/vm/run tests/vm/suite tests/run-all \
		docs/userland.md docs/kernel.md docs/oci.md docs/vm-harness.md docs/performance.md; do
		cond "make dist carries $f" test -e "$VSB/$dd/$f"
	done
	cond "... every patch of the series" sh -c "cd '$VS_SRCDIR/kernel-patch' && for p in \$(cat series); do test -f '$VSB/$dd/kernel-patch/'\$p || exit 1; done"
else
	nok "make distdir" "$(tail -n 5 "$OUT")"
fi
rm -rf "${VSB:?}/$dd" "${VSB:?}/$dd.w"

# install directories: the defaults, and --prefix moving them
mkvar() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$1" -f - print <<<"include Makefile
print:
	@echo \$($2)"; }
cond "vserver-info dirs shows the directories configure chose" \
	test "$(env -u VSERVER_CONFDIR -u VSERVER_VDIRBASE -u VSERVER_RUNDIR "$VINFO" dirs | tr '\n' ' ')" = \
	"confdir $(mkvar "$VSB/lib" vs_confdir) vdirbase $(mkvar "$VSB/lib" vs_vdirbase) rundir $(mkvar "$VSB/lib" vs_rundir) "
if [ -x "$VS_SRCDIR/configure" ]; then
	mkdir -p "$T/cfg" && (cd "$T/cfg" && "$VS_SRCDIR/configure" -q --prefix=/opt/vst >"$OUT" 2>&1)
	cond "configure --prefix=/opt/vst: configurations in /opt/vst/etc/vservers" \
		test "$(mkvar "$T/cfg/lib" vs_confdir)" = /opt/vst/etc/vservers
	cond "... guest roots in /opt/vst/var/vservers" test "$(mkvar "$T/cfg/lib" vs_vdirbase)" = /opt/vst/var/vservers
	cond "... run state in /opt/vst/var/run/vservers" test "$(mkvar "$T/cfg/lib" vs_rundir)" = /opt/vst/var/run/vservers
	(cd "$T/cfg" && "$VS_SRCDIR/configure" -q --sysconfdir=/srv/etc --runstatedir=/srv/run >"$OUT" 2>&1)
	cond "configure --sysconfdir --runstatedir are followed" \
		test "$(mkvar "$T/cfg/lib" vs_confdir) $(mkvar "$T/cfg/lib" vs_rundir)" = "/srv/etc/vservers /srv/run/vservers"
	cond "... and without --prefix guest roots stay in /vservers" test "$(mkvar "$T/cfg/lib" vs_vdirbase)" = /vservers
else
	skip "configure --prefix" "no configure script in $VS_SRCDIR (run autoreconf -fi)"
fi
finish
