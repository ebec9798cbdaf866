# build methods skeleton and busybox, options, refusals, interrupted builds.
. "$VS_TESTDIR/lib.sh"

s=$(gname skel)
GUESTS+=("$s")
check "build -m skeleton" "$VS" "$s" build -m skeleton --hostname skel.example
cond "skeleton has the directory layout" test -d "$(vdir "$s")/etc" -a -d "$(vdir "$s")/proc" \
	-a -d "$(vdir "$s")/dev" -a -d "$(vdir "$s")/tmp"
cond "skeleton /tmp is sticky" test -k "$(vdir "$s")/tmp"
cond "skeleton has no programs" test ! -e "$(vdir "$s")/bin/busybox"
cond "--hostname is configured" test "$(cat "$VSERVER_CONFDIR/$s/uts/nodename")" = skel.example
cond "... and written to the guest" test "$(cat "$(vdir "$s")/etc/hostname")" = skel.example
check_msg 1 "a skeleton guest cannot start (no init), and says why" "cannot execute /sbin/init" \
	"$VS" "$s" start
cond "... and leaves nothing running" not running "$s"
cond "... nor a cgroup" not cg_dir_exists "$s"
cond "... nor run state" test ! -e "$VSERVER_RUNDIR/$s.state"

g=$(gname bb)
check "build -m busybox with options" new_guest "$g" --context 4242 --hostname bb-host \
	--interface 'web=eth9:192.0.2.10/24' --interface 2001:db8::10
cond "--context is configured" test "$(cat "$VSERVER_CONFDIR/$g/context")" = 4242
cond "--interface with a label: interfaces/web/ip" test "$(cat "$VSERVER_CONFDIR/$g/interfaces/web/ip")" = 192.0.2.10
cond "... prefix" test "$(cat "$VSERVER_CONFDIR/$g/interfaces/web/prefix")" = 24
cond "... dev" test "$(cat "$VSERVER_CONFDIR/$g/interfaces/web/dev")" = eth9
cond "... label" test "$(cat "$VSERVER_CONFDIR/$g/interfaces/web/name")" = web
cond "--interface without a label: interfaces/1" test "$(cat "$VSERVER_CONFDIR/$g/interfaces/1/ip")" = 2001:db8::10
check_msg 2 "the same address twice is refused" "given twice" \
	"$VS" "$(gname dup)" build -m skeleton --interface 192.0.2.10 --interface eth0:192.0.2.10/24
cond "... and nothing is written" test ! -e "$VSERVER_CONFDIR/$(gname dup)"
check_msg 2 "a bad prefix is refused" "prefix" "$VS" "$(gname dup)" build -m skeleton \
	--interface 2001:db8::1/129
cond "config files belong to root, mode 0644" test "$(stat -c '%u %a' "$VSERVER_CONFDIR/$g/context")" = "0 644"
cond "the guest's busybox is the host's static one" cmp -s /bin/busybox "$(vdir "$g")/bin/busybox"
cond "the applets are links to it" test "$(readlink "$(vdir "$g")/bin/sh")" = /bin/busybox
touch "$(vdir "$g")/root/precious"
check_msg 1 "building an existing guest again is refused" "exists already" "$VS" "$g" build -m busybox
cond "... and the guest is untouched" test -e "$(vdir "$g")/root/precious"
o=$(gname other)
GUESTS+=("$o")
check_msg 1 "a context id used by another guest is refused" "used by guest '$g'" \
	"$VS" "$o" build -m skeleton --context 4242
cond "... and nothing was made" test ! -e "$VSERVER_CONFDIR/$o" -a ! -e "$(vdir "$o")"
check "without --context the next free id is chosen" "$VS" "$o" build -m skeleton
cond "... which differs" test "$(cat "$VSERVER_CONFDIR/$o/context")" != 4242
check_msg 1 "an interface on a missing host device fails the start" "eth9: no such network device" \
	"$VS" "$g" start
cond "... and leaves nothing" test ! -e "$VSERVER_RUNDIR/$g.state" -a -z "$(cg_procs "$g")"
rm -rf "$VSERVER_CONFDIR/$g/interfaces"
check "start" "$VS" "$g" start
check_out "the guest uses its configured host name" '^bb-host$' "$VS" "$g" exec hostname
check_msg 1 "build --force refuses a running guest" "is running" "$VS" "$g" build -m busybox --force
check "stop" "$VS" "$g" stop
check "build --force replaces a stopped guest" "$VS" "$g" build -m busybox --force
cond "... its old files are gone" test ! -e "$(vdir "$g")/root/precious"

d=$(gname dyn)
check_msg 1 "busybox that is not static is refused" "dynamically linked" \
	"$VS" "$d" build -m busybox -- --busybox /bin/ls
cond "... and the failed build left nothing" test ! -e "$VSERVER_CONFDIR/$d" -a ! -e "$(vdir "$d")"
check_msg 1 "a missing busybox is reported" "No such file" \
	"$VS" "$d" build -m busybox -- --busybox /no/busybox
cond "... and left nothing" test ! -e "$VSERVER_CONFDIR/$d" -a ! -e "$(vdir "$d")"

f=$(gname foreign)
mkdir -p "$(vdir "$f")"; echo keep >"$(vdir "$f")/data"
check_msg 1 "a non-empty directory in the way is not taken over" "not empty" "$VS" "$f" build -m skeleton
cond "... its content is kept" test "$(cat "$(vdir "$f")/data")" = keep
cond "... and no configuration was left" test ! -e "$VSERVER_CONFDIR/$f"
rm -rf "$(vdir "$f")"

# An interrupted build: a debootstrap that hangs, and the command killed.
i=$(gname intr)
GUESTS+=("$i")
cat >"$T/fake-debootstrap" <<EOS
#!/bin/sh
echo \$\$ > "$T/fake.pid"
exec sleep 60
EOS
chmod 755 "$T/fake-debootstrap"
"$VS" "$i" build -m debootstrap -- --debootstrap "$T/fake-debootstrap" >/dev/null 2>&1 & p=$!
wait_until 10 test -s "$T/fake.pid"
kill -9 "$p"; wait "$p" 2>/dev/null
kill "$(cat "$T/fake.pid")" 2>/dev/null
cond "an interrupted build leaves the guest marked incomplete" test -e "$VSERVER_CONFDIR/$i/incomplete"
check_msg 1 "an incomplete guest refuses to start" "incomplete" "$VS" "$i" start
check_msg 3 "status says so" "incomplete" "$VS" "$i" status
cond "... and nothing runs" not running "$i"
check "it can be rebuilt with --force" "$VS" "$i" build -m busybox --force
check "then it starts" "$VS" "$i" start
check "and stops" "$VS" "$i" stop
"$VS" "$i" build -m debootstrap --force -- --debootstrap "$T/fake-debootstrap" >/dev/null 2>&1 & p=$!
sleep 0.3; wait_until 10 test -s "$T/fake.pid"
kill -9 "$p"; wait "$p" 2>/dev/null; kill "$(cat "$T/fake.pid")" 2>/dev/null
check "an incomplete guest can be deleted" "$VS" "$i" delete
cond "... completely" test ! -e "$VSERVER_CONFDIR/$i" -a ! -e "$(vdir "$i")"
check_msg 1 "a failing debootstrap fails the build" "failed" \
	"$VS" "$i" build -m debootstrap -- --debootstrap /bin/false
cond "... and leaves nothing behind" test ! -e "$VSERVER_CONFDIR/$i" -a ! -e "$(vdir "$i")"
check_msg 2 "a bad suite name is refused" "not a Debian suite" \
	"$VS" "$i" build -m debootstrap -- -d 'bad/suite'
check_msg 2 "a bad mirror URL is refused" "not a mirror URL" \
	"$VS" "$i" build -m debootstrap -- -m 'ftp://x y'
finish
