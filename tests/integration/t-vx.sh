# The low-level vx tools and the vx backend.  On a kernel without the
# vserver system call they must say so; their real tests run in the VM.
. "$VS_TESTDIR/lib.sh"

if ! "$VINFO" apiver >/dev/null 2>&1; then
	check_out "vserver-info reports that the kernel has no vserver interface" \
		"vserver kernel interface: none" "$VINFO"
	check_out "... and ns as the default backend" "default backend: ns" "$VINFO"
	check_msg 1 "vserver-info apiver fails clearly" "no vserver kernel interface" "$VINFO" apiver
	for t in "vcontext --create --xid 42 -- /bin/true" "vattribute --get" "vuname --get" \
		"chbind --nid 42 --ip 192.0.2.1 -- /bin/true" "naddress --nid 42 --add --ip 192.0.2.1"; do
		check_msg 1 "${t%% *} says the kernel lacks the interface" "no vserver system call" \
			"$VSB/tools/"$t
	done
	g=$(gname v)
	check "build" new_guest "$g"
	check_msg 1 "--backend vx on this kernel fails clearly" "needs a kernel with the vserver" \
		"$VS" --backend vx "$g" start
	cond "... and leaves nothing" test ! -e "$VSERVER_RUNDIR/$g.state" -a -z "$(cg_procs "$g")"
	echo vx >"$VSERVER_CONFDIR/$g/backend"
	check_msg 1 "a guest pinned to vx fails the same way" "needs a kernel with the vserver" \
		env -u VSERVER_BACKEND "$VS" "$g" start
	check "--backend ns overrides the pin" "$VS" --backend ns "$g" start
	check "stop" "$VS" "$g" stop
	skip "vx backend: start, enter, contexts" "this kernel has no vserver system call (runs in the VM)"
	finish; exit 0
fi

# A kernel with the vserver interface.
check_out "vserver-info apiver reports 0x0002030x" '^0x0002030[0-9a-f]$' "$VINFO" apiver
# (inside, the command has no CAP_CONTEXT: ask /proc, not the system call)
check_out "vcontext runs a command in a new context" '^VxID:[[:space:]]*42$' \
	"$VSB/tools/vcontext" --create --xid 42 --endsetup -- grep VxID /proc/self/status
check_fail "... which is gone when the command has ended" "$VSB/tools/vattribute" --xid 42 --get
g=$(gname v)
check "build" new_guest "$g" --context 4343
check "start with the vx backend" "$VS" --backend vx "$g" start
init=$("$VS" "$g" status | sed -n 's/.*init pid \([0-9]*\).*/\1/p')
check_out "its init runs in its context" '^4343$' "$VINFO" xid "$init"
check_out "vattribute shows the context's flags" '^flags: ' "$VSB/tools/vattribute" --xid 4343 --get
check_out "vuname shows the configuration directory as the context name" \
	"^$VSERVER_CONFDIR/$g\$" "$VSB/tools/vuname" --xid 4343 --get context
check_out "exec joins the context" '^4343$' "$VS" "$g" exec /bin/sh -c 'grep VxID /proc/self/status | tr -dc 0-9'
check "stop" "$VS" "$g" stop
check_fail "the context is gone after stop" "$VSB/tools/vattribute" --xid 4343 --get
finish
