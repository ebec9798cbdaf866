# vserver NAME rename NEWNAME: configuration and default root move; a
# running guest, a taken or invalid name are refused with nothing changed;
# a failure part-way leaves the old guest as it was.
. "$VS_TESTDIR/lib.sh"

a=$(gname a) n=$(gname new) o=$(gname other)
check "build" new_guest "$a" --context 811
GUESTS+=("$n")
check "build another" new_guest "$o"
echo hello >"$(vdir "$a")/root/file"
check "start" "$VS" "$a" start
check_msg 1 "rename refuses a running guest" "is running; stop it before renaming" \
	"$VS" "$a" rename "$n"
cond "... it still runs under its name" running "$a"
cond "... nothing of the new name exists" test ! -e "$VSERVER_CONFDIR/$n" -a ! -e "$(vdir "$n")"
check "stop" "$VS" "$a" stop
check_msg 1 "rename to a name that exists is refused" "a guest named '$o' exists already" \
	"$VS" "$a" rename "$o"
cond "... both guests are unchanged" test -f "$(vdir "$a")/root/file" -a -d "$(vdir "$o")/bin"
check_msg 2 "rename to an invalid name is refused" "'\.\./x' is not a valid guest name" \
	"$VS" "$a" rename ../x
check_msg 2 "rename to its own name is refused" "is the guest's name already" "$VS" "$a" rename "$a"
check_msg 2 "rename without NEWNAME is a usage error" "NEWNAME is missing" "$VS" "$a" rename
check_msg 1 "rename of a guest that does not exist" "does not exist" "$VS" "$(gname nosuch)" rename "$n"

# a failure after the root moved: a stray root of the new name makes the
# root's move fail, a configuration directory the new name's (made after
# the check, by a fake: a file) the configuration's
mkdir -p "$(vdir "$n")"
check_msg 1 "a directory VDIRBASE/NEW in the way: refused" "exists already.*not renaming over it" \
	"$VS" "$a" rename "$n"
cond "... the old guest is intact (config, root, its vdir link)" \
	test -f "$(vdir "$a")/root/file" -a "$(readlink "$VSERVER_CONFDIR/$a/vdir")" = "$(vdir "$a")"
rmdir "$(vdir "$n")"
check "... it still starts" "$VS" "$a" start
check "... and stops" "$VS" "$a" stop

# the configuration's move fails after the root moved (CONFDIR made
# immutable): the root goes back, the old guest is as it was
if chattr +i "$VSERVER_CONFDIR" 2>/dev/null; then
	check_msg 1 "the configuration cannot move: refused with the reason" \
		"renaming .*/$a to .*/$n: Operation not permitted" "$VS" "$a" rename "$n"
	chattr -i "$VSERVER_CONFDIR"
	cond "... the root moved back" test -f "$(vdir "$a")/root/file" -a ! -e "$(vdir "$n")"
	cond "... the vdir link points to it again" \
		test "$(readlink "$VSERVER_CONFDIR/$a/vdir")" = "$(vdir "$a")"
	check "... it starts" "$VS" "$a" start
	check "... and stops" "$VS" "$a" stop
else
	skip "a failure after the root moved is undone" "chattr +i not supported on $VSERVER_CONFDIR"
fi

check_msg 0 "rename" "$a renamed to $n" "$VS" "$a" rename "$n"
cond "... the configuration moved" test -d "$VSERVER_CONFDIR/$n" -a ! -e "$VSERVER_CONFDIR/$a"
cond "... the default root moved with it" test -f "$(vdir "$n")/root/file" -a ! -e "$(vdir "$a")"
cond "... the vdir link build wrote follows the root" \
	test "$(readlink "$VSERVER_CONFDIR/$n/vdir")" = "$(vdir "$n")"
cond "... the name file says the new name" test "$(cat "$VSERVER_CONFDIR/$n/name")" = "$n"
check_json 3 "... status --json under the new name keeps the context" \
	".name == \"$n\" and .context == 811" "$VS" "$n" status --json
check "... it starts under the new name" "$VS" "$n" start
check_out "... and runs its root" '^hello$' "$VS" "$n" exec cat /root/file
check "stop" "$VS" "$n" stop
check_msg 1 "the old name is gone" "does not exist" "$VS" "$a" status

# a guest with its own root (vdir link): only the configuration moves
mkdir -p "$T/own"
GUESTS+=("$a-2")
check "build with --vdir" "$VS" -q "$a" build -m busybox --vdir "$T/own/root"
check "rename it" "$VS" "$a" rename "$a-2"
cond "... its root stays where it is, the link moved" \
	test "$(readlink "$VSERVER_CONFDIR/$a-2/vdir")" = "$T/own/root" -a -d "$T/own/root/bin"
check "... it starts" "$VS" "$a-2" start
check "stop" "$VS" "$a-2" stop
finish
