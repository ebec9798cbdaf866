# A running guest whose configuration turns bad (group-writable, moved
# away) is still stopped, from its run state alone (issue 16, item 8).
. "$VS_TESTDIR/lib.sh"

g=$(gname w)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
chmod g+w "$VSERVER_CONFDIR/$g"
check_refused "a group-writable configuration is refused for a start" "writable|permission|trust" \
	"$VS" "$g" exec true
check "... but the guest stops" "$VS" "$g" stop
cond "... its processes and cgroup are gone" not cg_dir_exists "$g"
cond "... and its run state" test ! -e "$VSERVER_RUNDIR/$g.state"
chmod g-w "$VSERVER_CONFDIR/$g"

check "start again" "$VS" "$g" start
mv "$VSERVER_CONFDIR/$g" "$T/moved-away"
check "a guest whose configuration was moved away stops" "$VS" "$g" stop
cond "... its processes and cgroup are gone" not cg_dir_exists "$g"
cond "... and its run state" test ! -e "$VSERVER_RUNDIR/$g.state"
mv "$T/moved-away" "$VSERVER_CONFDIR/$g"
finish
