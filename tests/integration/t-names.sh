# Guest names that look like files of the tools or of cgroupfs: each guest
# has its own lock, run state and cgroup (PARENT/vs-NAME), so such a name
# builds, starts, stops and deletes like any other (issue 16, items 1-2;
# "network" against the global address lock is in t-lock.sh).
. "$VS_TESTDIR/lib.sh"

for g in cgroup.procs memory.max cgroup.kill; do
	check "a guest called $g builds" new_guest "$g"
	check "... starts" "$VS" "$g" start
	cond "... in a cgroup of its own (vs-$g, a directory)" test -d "$(guest_cg "$g")/payload"
	check_out "... runs a command" '^ok$' "$VS" "$g" exec echo ok
	check_out "... is listed by vserver-stat" " $g\$" "$VSTAT"
	check "... stops" "$VS" "$g" stop
	cond "... and its cgroup is gone" not cg_dir_exists "$g"
	check "... is deleted" "$VS" "$g" delete
	cond "... completely" test ! -e "$VSERVER_CONFDIR/$g" -a ! -e "$(vdir "$g")"
done
cond "the cgroup parent's own files are untouched" \
	test -f "$(cg_root)/$VSERVER_CGROUP/cgroup.procs" -o ! -d "$(cg_root)/$VSERVER_CGROUP"
finish
