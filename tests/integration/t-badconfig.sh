# A running guest whose configuration turns bad (group-writable, moved
# away) is still stopped, from its run state alone (issue 16, item 8).
. "$VS_TESTDIR/lib.sh"

g=$(gname w)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
chmod g+w "$VSERVER_CONFDIR/$g"
check_refused "a group-writable configuration is refused for a start" "writable|permission|trust" \
	"$VS" "$g" exec true
# the listing shows such a guest with its problem, and does not hide it
"$VSTAT" >"$T/stat.out" 2>"$T/stat.err"; rc=$?
cond "vserver-stat exits 1 for a guest with a problem" test "$rc" = 1
cond "... but lists the guest" grep -Eq "^[0-9]+ +[0-9]+ .* $g\$" "$T/stat.out"
cond "... with its problem" grep -Eq "$g: .*writable by group or others" "$T/stat.err"
check_json 1 "vserver-stat --json still lists it, running, with its problem (exit 1)" \
	".[] | select(.name == \"$g\") | .processes >= 1 and (.problem | test(\"writable by group\"))" \
	"$VSTAT" --json
check_json 1 "vserver --list --json: running, with its problem" \
	".[] | select(.name == \"$g\") | .state == \"running\" and (.problem | test(\"writable by group\"))" \
	"$VS" --list --json
check "... but the guest stops" "$VS" "$g" stop
cond "... its processes and cgroup are gone" not cg_dir_exists "$g"
cond "... and its run state" test ! -e "$VSERVER_RUNDIR/$g.state"
chmod g-w "$VSERVER_CONFDIR/$g"

check "start again" "$VS" "$g" start
# a run state whose cgroup is not a directory (damaged by hand): listed,
# with the problem, and the others are not hidden
cp -p "$VSERVER_RUNDIR/$g.state" "$T/state.saved"
: >"$T/not-a-dir"
sed -i "s|^cgroup=.*|cgroup=$T/not-a-dir|" "$VSERVER_RUNDIR/$g.state"
"$VSTAT" >"$T/stat.out" 2>"$T/stat.err"; rc=$?
cond "vserver-stat lists a guest whose cgroup is not a directory" grep -Eq " $g\$" "$T/stat.out"
cond "... with its problem" grep -Eq "$g: cgroup $T/not-a-dir is not a directory" "$T/stat.err"
cond "... and exit status 1" test "$rc" = 1
cp -p "$T/state.saved" "$VSERVER_RUNDIR/$g.state"
mv "$VSERVER_CONFDIR/$g" "$T/moved-away"
"$VSTAT" >"$T/stat.out" 2>"$T/stat.err"
cond "vserver-stat lists a guest whose configuration is gone" grep -Eq " $g\$" "$T/stat.out"
cond "... with its problem" grep -Eq "$g: its configuration .* is gone" "$T/stat.err"
check_json 1 "a guest whose configuration was moved away: vserver-stat --json lists it with the problem" \
	".[] | select(.name == \"$g\") | .processes >= 1 and (.problem | test(\"gone\"))" \
	"$VSTAT" --json
check "a guest whose configuration was moved away stops" "$VS" "$g" stop
cond "... its processes and cgroup are gone" not cg_dir_exists "$g"
cond "... and its run state" test ! -e "$VSERVER_RUNDIR/$g.state"
mv "$T/moved-away" "$VSERVER_CONFDIR/$g"
finish
