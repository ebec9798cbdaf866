# build -m debootstrap: a real Debian guest (slow, needs the Debian mirror).
. "$VS_TESTDIR/lib.sh"

if [ "${VS_TEST_DEBOOTSTRAP:-}" != 1 ]; then
	skip "debootstrap guest" "slow and networked: set VS_TEST_DEBOOTSTRAP=1 to run it"
	finish; exit 0
fi
if ! command -v debootstrap >/dev/null; then
	skip "debootstrap guest" "debootstrap is not installed"
	finish; exit 0
fi
g=$(gname deb)
GUESTS+=("$g")
check "build -m debootstrap (bookworm, minbase)" "$VS" "$g" build -m debootstrap -- -d bookworm \
	${VS_DEBIAN_MIRROR:+-m "$VS_DEBIAN_MIRROR"}
cond "debootstrap's progress was shown" grep -q "^I: " "$OUT"
cond "the guest is Debian" test -s "$(vdir "$g")/etc/debian_version"
cond "its style is sysv" test "$(cat "$VSERVER_CONFDIR/$g/apps/init/style")" = sysv
check "start (runs /etc/init.d/rc 3)" "$VS" "$g" start
check_out "exec runs Debian's programs" "^$(cat "$(vdir "$g")/etc/debian_version")\$" \
	"$VS" "$g" exec cat /etc/debian_version
check_out "dpkg works inside" "ii +base-files" "$VS" "$g" exec dpkg -l base-files
check "stop (runs /etc/init.d/rc 0)" "$VS" "$g" stop
finish
