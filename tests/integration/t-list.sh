# vserver --list (--fancy, --json): every configured guest with state,
# context, addresses and boot mark, a broken one with its problem; the
# boot mark set and cleared with mark/unmark.
. "$VS_TESTDIR/lib.sh"

a=$(gname a) b=$(gname b) bad=$(gname bad) gone=$(gname gone)
check "build a (context 801, an address)" new_guest "$a" --context 801 --interface 192.0.2.81/24
check "build b (context 802)" new_guest "$b" --context 802
check "build bad" new_guest "$bad" --context 803
check "build gone" new_guest "$gone" --context 804
check_out "--list names the guests, one a line" "^$a\$" "$VS" --list

# the boot mark
check_msg 0 "mark: default, started at boot" "marked 'default'; started at boot" "$VS" "$a" mark
cond "... apps/init/mark says default" test "$(cat "$VSERVER_CONFDIR/$a/apps/init/mark")" = default
check_out "... vserver-boot list names it" "^$a\$" "$VBOOT" list
check "mark b with another mark" "$VS" "$b" mark late
check_out "... vserver-boot --mark late list names it" "^$b\$" "$VBOOT" --mark late list
check_msg 2 "mark refuses a mark with a space (the configuration would not load)" \
	"only printable characters without spaces" "$VS" "$b" mark "a b"
cond "... the mark is unchanged" test "$(cat "$VSERVER_CONFDIR/$b/apps/init/mark")" = late
check_msg 1 "mark of a guest that does not exist" "does not exist" "$VS" "$(gname nosuch)" mark
cond "... creates nothing" test ! -e "$VSERVER_CONFDIR/$(gname nosuch)"
check "start a and gone" sh -c "'$VS' '$a' start && '$VS' '$gone' start"

# a configuration that turned bad, and one moved away while it runs
printf '%s\n' "x\"y\\z$(printf '\033')$(printf '\377')" >"$VSERVER_CONFDIR/$bad/context"
mv "$VSERVER_CONFDIR/$gone" "$T/gone-conf"

check_json 1 "--list --json: every guest once, exit 1 as some have a problem" \
	"map(.name) | sort == ([\"$a\", \"$b\", \"$bad\", \"$gone\"] | sort)" "$VS" --list --json
check_json 1 "... a: running, context 801, its address, autostart" \
	".[] | select(.name == \"$a\") | .state == \"running\" and .context == 801 and .addresses == [\"192.0.2.81/24\"] and .autostart == true and .mark == \"default\" and .problem == null" \
	"$VS" --list --json
check_json 1 "... b: stopped, context 802, no address, marked late but not autostart" \
	".[] | select(.name == \"$b\") | .state == \"stopped\" and .context == 802 and .addresses == [] and .autostart == false and .mark == \"late\"" \
	"$VS" --list --json
check_json 1 "... bad: listed with its problem, the file's quote, backslash, ESC and bad byte intact in JSON" \
	".[] | select(.name == \"$bad\") | .state == \"broken\" and (.problem | contains(\"context\") and contains(\"x\\\"y\\\\z\\u001b\\ufffd\"))" \
	"$VS" --list --json
check_json 1 "... gone: running without a configuration, listed as such" \
	".[] | select(.name == \"$gone\") | .state == \"running\" and .context == 804 and .problem == \"no configuration\"" \
	"$VS" --list --json
check_msg 1 "--list --fancy: a table with a's state, context, boot mark and address" \
	"^$a +running +801 +yes +192.0.2.81/24\$" "$VS" --list --fancy
cond "... b stopped, not started at boot" grep -Eq "^$b +stopped +802 +no +-\$" "$OUT"
cond "... bad with its problem, control characters made harmless" \
	grep -Eq "^$bad +broken +- +no +- +\(.*/context: 'x\"y\\\\z\?\?' is not a context id" "$OUT"
cond "... and no raw escape character reaches the terminal" not grep -q "$(printf '\033')" "$OUT"
cond "... gone too" grep -Eq "^$gone +running +804 .*\(no configuration\)" "$OUT"
check_msg 2 "--fancy without --list is a usage error" "go with --list" "$VS" --fancy
check "stop gone from its run state" "$VS" "$gone" stop
mv "$T/gone-conf" "$VSERVER_CONFDIR/$gone"
echo 803 >"$VSERVER_CONFDIR/$bad/context"

check_msg 0 "unmark" "unmarked; not started at boot" "$VS" "$a" unmark
cond "... the mark file is gone" test ! -e "$VSERVER_CONFDIR/$a/apps/init/mark"
check_msg 0 "unmark again: nothing to do" "had no mark" "$VS" "$a" unmark
check_json 0 "--list --json after unmark: a not autostart, no problem left" \
	"(.[] | select(.name == \"$a\") | .autostart == false and .mark == null) and all(.[]; .problem == null)" \
	"$VS" --list --json
check "stop a" "$VS" "$a" stop
finish
