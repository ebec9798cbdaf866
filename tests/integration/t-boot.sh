# vserver-boot and the systemd unit: start the marked guests, stop them.
. "$VS_TESTDIR/lib.sh"

a=$(gname marked)
b=$(gname unmarked)
check "build" new_guest "$a"
check "build" new_guest "$b"
echo default >"$VSERVER_CONFDIR/$a/apps/init/mark"
check_out "vserver-boot list names the marked guests" "^$a\$" "$VBOOT" list
cond "... only them" not grep -qx "$b" <<<"$("$VBOOT" list)"
check "vserver-boot start" "$VBOOT" start
cond "the marked guest runs" running "$a"
cond "the unmarked one does not" not running "$b"
check "vserver-boot stop" "$VBOOT" stop
cond "the marked guest is stopped" not running "$a"
check "vserver-boot --mark other start starts nothing marked default" "$VBOOT" --mark other start
cond "... nothing runs" not running "$a"
"$VS" -q "$b" start
check "vserver-boot stop --all stops every running guest" "$VBOOT" --all stop
cond "... also unmarked ones" not running "$b"
c=$(gname third)
check "build a third, marked" new_guest "$c"
echo default >"$VSERVER_CONFDIR/$c/apps/init/mark"
check "vserver-boot --jobs 2 start starts the marked guests side by side" "$VBOOT" --jobs 2 start
cond "... both run" running "$a"
cond "... both run (2)" running "$c"
cond "... not the unmarked one" not running "$b"
"$VS" -q "$b" start
check "vserver-boot --all --jobs 3 stop stops every running guest" "$VBOOT" --all --jobs 3 stop
cond "... none runs" not running "$a"
cond "... none runs (2)" not running "$b"
cond "... none runs (3)" not running "$c"
check_msg 2 "--jobs 0 is a usage error" "not a number from 1 to 1024" "$VBOOT" --jobs 0 stop
echo default >"$VSERVER_CONFDIR/$c/apps/init/mark"
touch "$VSERVER_CONFDIR/$c/incomplete"
check_rc 1 "a guest that cannot start fails a parallel start (exit 1)" "$VBOOT" --jobs 2 start
cond "... the other still started" running "$a"
rm "$VSERVER_CONFDIR/$c/incomplete"
"$VBOOT" --all stop
unit=$VSB/init/vservers.service
cond "the systemd unit exists" test -f "$unit"
cond "... starts the marked guests" grep -q '^ExecStart=.*/vserver-boot start$' "$unit"
cond "... and stops them" grep -q '^ExecStop=.*/vserver-boot' "$unit"
if command -v systemd-analyze >/dev/null; then
	# verify needs the programs where the unit says; point it at the build
	# (at the program, not at a libtool wrapper script, which keeps it in .libs)
	boot=$VSB/tools/vserver-boot
	[ "$(head -c 2 "$boot")" = "#!" ] && [ -x "$VSB/tools/.libs/vserver-boot" ] &&
		boot=$VSB/tools/.libs/vserver-boot
	sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/vserver-boot|\1$boot|" "$unit" >"$T/vservers.service"
	check "systemd-analyze verify accepts the unit" systemd-analyze verify --man=no "$T/vservers.service"
else
	skip "systemd-analyze verify accepts the unit" "systemd-analyze not installed"
fi
finish
