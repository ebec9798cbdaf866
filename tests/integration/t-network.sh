# Networking on the ns backend: the host's stack (said loudly), a private
# namespace (loopback only), addresses on host devices.
. "$VS_TESTDIR/lib.sh"

g=$(gname n)
check "build" new_guest "$g"
C=$VSERVER_CONFDIR/$g
if [ "$VS_BACKEND" != ns ]; then
	skip "network tests of the ns backend" "backend $VS_BACKEND"
	finish; exit 0
fi
check_msg 0 "start says the guest shares the host's network" "shares the host's network stack" \
	"$VS" "$g" start
host_ifs=$(tail -n +3 /proc/net/dev | wc -l)
guest_ifs=$("$VS" "$g" exec cat /proc/net/dev | tail -n +3 | wc -l)
cond "... and it sees the host's interfaces ($guest_ifs of $host_ifs)" test "$guest_ifs" = "$host_ifs"
check "stop" "$VS" "$g" stop
mkdir -p "$C/spaces"; touch "$C/spaces/net"
check "with spaces/net: start" "$VS" "$g" start
check_out "the private namespace has only lo" '^ *lo:' "$VS" "$g" exec cat /proc/net/dev
cond "... nothing else" test "$("$VS" "$g" exec cat /proc/net/dev | tail -n +3 | wc -l)" = 1
check_out "... and lo is up with 127.0.0.1" "inet 127.0.0.1" "$VS" "$g" exec ip addr show lo
check_fail "the guest cannot reconfigure it (no CAP_NET_ADMIN)" "$VS" "$g" exec ip link set lo down
check "stop" "$VS" "$g" stop
rm -rf "$C/spaces" "$C/interfaces"

# Addresses on host devices, in a network namespace of our own so the
# machine's real network is never touched.
if command -v unshare >/dev/null && command -v ip >/dev/null; then
	g2=$(gname n2)
	check "build a second guest" new_guest "$g2"
	C2=$VSERVER_CONFDIR/$g2
	cat >"$T/net.sh" <<EOS
set -e
ip link add vstest0 type veth peer name vstest1
ip link set vstest0 up
mkdir -p "$C/interfaces/0" "$C/interfaces/1"
echo 192.0.2.10 >"$C/interfaces/0/ip"; echo 24 >"$C/interfaces/0/prefix"; echo vstest0 >"$C/interfaces/0/dev"
echo 2001:db8::10 >"$C/interfaces/1/ip"; echo 64 >"$C/interfaces/1/prefix"; echo vstest0 >"$C/interfaces/1/dev"
"$VS" -q "$g" start
ip -4 addr show vstest0 | grep -q 192.0.2.10/24 && echo ADDED
ip -6 addr show vstest0 | grep -q 2001:db8::10/64 && echo ADDED6
"$VS" "$g" exec ip -4 addr show vstest0 | grep -q 192.0.2.10 && echo SEEN
"$VS" "$g" status | grep -q '192.0.2.10/24' && echo STATUS
"$VSTAT" --json | jq -e '.[] | select(.name == "'"$g"'") | .network == "host" and .nid == 0 and .nflags == [] and .addresses == ["192.0.2.10/24", "2001:db8::10/64"]' >/dev/null && echo STAT
"$VSTAT" --net | grep -q "host *192.0.2.10/24,2001:db8::10/64 $g\$" && echo NETVIEW
# a second guest with the same address is refused while the first runs
mkdir -p "$C2/interfaces/0"
echo 192.0.2.10 >"$C2/interfaces/0/ip"; echo vstest0 >"$C2/interfaces/0/dev"
"$VS" -q "$g2" start 2>&1 | grep -q "belongs to the running guest $g" && echo OTHER_REFUSED
ip -4 addr show vstest0 | grep -q 192.0.2.10/24 && echo OTHER_KEPT
"$VS" "$g2" status >/dev/null || echo OTHER_NOT_RUNNING
"$VS" -q "$g" stop
ip -4 addr show vstest0 | grep -q 192.0.2.10 || echo REMOVED
ip -6 addr show vstest0 | grep -q 2001:db8::10 || echo REMOVED6
# the leftovers of a crashed start of another guest do not block the address
printf 'backend=ns\nxid=0\nstarted_ms=0\nmissing_cg=0\nhost_network=1\ninitstyle=sysv\ncomplete=0\nnet=guest 192.0.2.10/24\n' >"$VSERVER_RUNDIR/$g2.state"
chmod 600 "$VSERVER_RUNDIR/$g2.state"
"$VS" -q "$g" start && echo LEFTOVER_IGNORED
"$VS" -q "$g" stop
"$VS" -q "$g2" stop
rm -rf "$C2/interfaces"
# an address the host has already is used, not owned, and never doubled
ip addr add 192.0.2.11/24 dev vstest0
echo 192.0.2.11 >"$C/interfaces/0/ip"
"$VS" "$g" start 2>&1 | grep -q "already on vstest0" && echo USED
[ \$(ip -4 addr show | grep -c 'inet 192.0.2.11/') = 1 ] && echo SINGLE
"$VS" -q "$g" stop
ip -4 addr show vstest0 | grep -q 192.0.2.11 && echo KEPT
ip -6 addr show vstest0 | grep -q 2001:db8::10 || echo REMOVED6_AGAIN
# a start that fails after adding the addresses leaves none of them
echo 192.0.2.12 >"$C/interfaces/0/ip"
echo sysv >"$C/apps/init/style"
VSERVER_HELPERDIR=/nonexistent "$VS" -q "$g" start >/dev/null 2>&1 || echo CRASHED
ip -4 addr show vstest0 | grep -q 192.0.2.12 || echo NONE_LEFT
ip -6 addr show vstest0 | grep -q 2001:db8::10 || echo NONE_LEFT6
ip -4 addr show vstest0 | grep -q 192.0.2.11 && echo PRE_KEPT
EOS
	out=$(unshare -n bash "$T/net.sh" 2>&1)
	diag "$(echo $out)"
	cond "the configured IPv4 address is added to the host device at start" grep -qw ADDED <<<"$out"
	cond "... and the IPv6 one" grep -qw ADDED6 <<<"$out"
	cond "the guest sees it" grep -qw SEEN <<<"$out"
	cond "status lists the guest's addresses" grep -qw STATUS <<<"$out"
	cond "vserver-stat --json lists them" grep -qw STAT <<<"$out"
	cond "vserver-stat --net too" grep -qw NETVIEW <<<"$out"
	cond "another guest with a running guest's address is refused" grep -qw OTHER_REFUSED <<<"$out"
	cond "... the address stays" grep -qw OTHER_KEPT <<<"$out"
	cond "... and that guest did not start" grep -qw OTHER_NOT_RUNNING <<<"$out"
	cond "... but a crashed start's leftovers do not block it" grep -qw LEFTOVER_IGNORED <<<"$out"
	cond "stop removes the IPv4 address" grep -qw REMOVED <<<"$out"
	cond "... and the IPv6 one" grep -qw REMOVED6 <<<"$out"
	cond "an address already on the host is used (said at start)" grep -qw USED <<<"$out"
	cond "... not added a second time" grep -qw SINGLE <<<"$out"
	cond "... and kept at stop, while the guest's own ones go" grep -qw KEPT <<<"$out"
	cond "... (its own IPv6 address was removed)" grep -qw REMOVED6_AGAIN <<<"$out"
	cond "a start failing after the addresses were added fails" grep -qw CRASHED <<<"$out"
	cond "... and leaves none of them" grep -qw NONE_LEFT <<<"$out"
	cond "... (IPv6 neither)" grep -qw NONE_LEFT6 <<<"$out"
	cond "... and does not touch a pre-existing one" grep -qw PRE_KEPT <<<"$out"
	rm -rf "$C/interfaces"

	# spaces/net with interfaces: a private namespace and a veth pair
	xid=$(cat "$C/context")
	cat >"$T/veth.sh" <<EOS
ip link set lo up
ip addr add 198.51.100.1/32 dev lo
ip addr add 2001:db8:ffff::1/128 dev lo
mkdir -p "$C/spaces" "$C/interfaces/0" "$C/interfaces/1"
touch "$C/spaces/net"
echo 192.0.2.20 >"$C/interfaces/0/ip"; echo 24 >"$C/interfaces/0/prefix"
echo 2001:db8::20 >"$C/interfaces/1/ip"; echo 64 >"$C/interfaces/1/prefix"
"$VS" -q "$g" start || exit 1
ip link show vs$xid >/dev/null && echo HOSTEND
ip -4 route show dev vs$xid | grep -q '^192.0.2.20 ' && echo ROUTE4
ip -6 route show dev vs$xid | grep -q '^2001:db8::20 ' && echo ROUTE6
"$VS" "$g" exec ip -4 addr show eth0 | grep -q 'inet 192.0.2.20/24' && echo GUEST4
"$VS" "$g" exec ip -6 addr show eth0 | grep -q 'inet6 2001:db8::20/64' && echo GUEST6
"$VS" "$g" exec ip -4 route | grep -q '^default dev eth0' && echo DEFAULT4
"$VS" "$g" exec ip -6 route | grep -q '^default via fe80::1 dev eth0' && echo DEFAULT6
[ \$("$VS" "$g" exec cat /proc/net/dev | tail -n +3 | wc -l) = 2 ] && echo ONLY-LO-ETH0
busybox ping -c1 -W5 192.0.2.20 >/dev/null && echo PING4
busybox ping -6 -c1 -W5 2001:db8::20 >/dev/null && echo PING6
mkdir -p "$T/www"; echo hello-from-host >"$T/www/x"
busybox httpd -f -p 198.51.100.1:8080 -h "$T/www" & h4=\$!
busybox httpd -f -p [2001:db8:ffff::1]:8080 -h "$T/www" & h6=\$!
sleep 0.3
"$VS" "$g" exec wget -qO- http://198.51.100.1:8080/x | grep -q hello-from-host && echo FETCH4
"$VS" "$g" exec wget -qO- 'http://[2001:db8:ffff::1]:8080/x' | grep -q hello-from-host && echo FETCH6
kill \$h4 \$h6
"$VS" "$g" status | grep -q "veth pair (host end vs$xid)" && echo STATUS
[ -e "$VSERVER_RUNDIR/$g.netns" ] && echo NSFILE
"$VS" -q "$g" stop
ip link show vs$xid >/dev/null 2>&1 || echo GONE
ip -4 route | grep -q 192.0.2.20 || echo ROUTE-GONE
[ -e "$VSERVER_RUNDIR/$g.netns" ] || echo NSFILE-GONE
echo 198.51.100.1 >"$C/interfaces/0/ip"
"$VS" "$g" start 2>&1 | grep -q "is an address of the host" && echo HOSTADDR-REFUSED
ip link show vs$xid >/dev/null 2>&1 || [ -e "$VSERVER_RUNDIR/$g.netns" ] || echo HOSTADDR-NOTHING
EOS
	out=$(unshare -n bash "$T/veth.sh" 2>&1)
	diag "$(echo $out)"
	cond "veth: the host end vs$xid exists while the guest runs" grep -qw HOSTEND <<<"$out"
	cond "... with a route to the guest's IPv4 address" grep -qw ROUTE4 <<<"$out"
	cond "... and to its IPv6 address" grep -qw ROUTE6 <<<"$out"
	cond "the guest's end eth0 has its IPv4 address" grep -qw GUEST4 <<<"$out"
	cond "... and its IPv6 address" grep -qw GUEST6 <<<"$out"
	cond "the guest has an IPv4 default route on eth0" grep -qw DEFAULT4 <<<"$out"
	cond "... and an IPv6 one through the host end" grep -qw DEFAULT6 <<<"$out"
	cond "the guest has lo and eth0 only" grep -qw ONLY-LO-ETH0 <<<"$out"
	cond "the host reaches the guest over IPv4" grep -qw PING4 <<<"$out"
	cond "... and IPv6" grep -qw PING6 <<<"$out"
	cond "the guest reaches a host service over IPv4" grep -qw FETCH4 <<<"$out"
	cond "... and IPv6" grep -qw FETCH6 <<<"$out"
	cond "status names the veth pair" grep -qw STATUS <<<"$out"
	cond "the namespace is kept in the run directory" grep -qw NSFILE <<<"$out"
	cond "stop removes the veth pair" grep -qw GONE <<<"$out"
	cond "... the routes" grep -qw ROUTE-GONE <<<"$out"
	cond "... and the namespace" grep -qw NSFILE-GONE <<<"$out"
	cond "an address the host has is refused for a veth guest" grep -qw HOSTADDR-REFUSED <<<"$out"
	cond "... leaving nothing" grep -qw HOSTADDR-NOTHING <<<"$out"
	rm -rf "$C/interfaces" "$C/spaces"
else
	skip "addresses on host devices" "unshare or ip missing"
fi
finish
