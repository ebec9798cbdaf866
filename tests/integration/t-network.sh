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
mkdir -p "$C/interfaces/0"; echo 192.0.2.10 >"$C/interfaces/0/ip"
check_msg 1 "interfaces together with spaces/net are refused" "not supported by the ns backend" \
	"$VS" "$g" start
rm -rf "$C/spaces" "$C/interfaces"

# An address on a host device, in a network namespace of our own so the
# machine's real network is never touched.
if command -v unshare >/dev/null && command -v ip >/dev/null; then
	cat >"$T/net.sh" <<EOS
set -e
ip link add vstest0 type veth peer name vstest1
ip link set vstest0 up
mkdir -p "$C/interfaces/0"
echo 192.0.2.10 >"$C/interfaces/0/ip"; echo 24 >"$C/interfaces/0/prefix"; echo vstest0 >"$C/interfaces/0/dev"
"$VS" -q "$g" start
ip -4 addr show vstest0 | grep -q 192.0.2.10/24 && echo ADDED
"$VS" "$g" exec ip -4 addr show vstest0 | grep -q 192.0.2.10 && echo SEEN
"$VS" -q "$g" stop
ip -4 addr show vstest0 | grep -q 192.0.2.10 || echo REMOVED
ip addr add 192.0.2.11/24 dev vstest0
echo 192.0.2.11 >"$C/interfaces/0/ip"
"$VS" -q "$g" start 2>&1 | grep -q "already in use" && echo REFUSED
ip -4 addr show vstest0 | grep -q 192.0.2.11 && echo KEPT
"$VS" "$g" status >/dev/null || echo NOT-RUNNING
EOS
	out=$(unshare -n bash "$T/net.sh" 2>&1)
	diag "$(echo $out)"
	cond "the configured address is added to the host device at start" grep -q ADDED <<<"$out"
	cond "the guest sees it" grep -q SEEN <<<"$out"
	cond "it is removed at stop" grep -q REMOVED <<<"$out"
	cond "an address already in use on the host is refused" grep -q REFUSED <<<"$out"
	cond "... and the host keeps its address" grep -q KEPT <<<"$out"
	cond "... and the guest did not start" grep -q NOT-RUNNING <<<"$out"
	rm -rf "$C/interfaces"
else
	skip "addresses on host devices" "unshare or ip missing"
fi
finish
