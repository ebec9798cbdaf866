# Network contexts (vx backend): each guest has only its own addresses on
# the host's stack.  Runs on a kernel with network contexts (the VM);
# elsewhere it says why it skips.
. "$VS_TESTDIR/lib.sh"

if [ "$VS_BACKEND" != vx ]; then
	skip "network contexts" "backend $VS_BACKEND (they are a vx feature)"
	finish; exit 0
fi
if [ ! -e /proc/virtnet ]; then
	g=$(gname x)
	check "build a guest with an address" new_guest "$g" --context 4409 --interface 198.18.0.19
	check_msg 1 "without network contexts in the kernel, a guest with addresses does not start" \
		"no network contexts" "$VS" "$g" start
	cond "... and leaves nothing" test ! -e "$VSERVER_RUNDIR/$g.state"
	rm -rf "$VSERVER_CONFDIR/$g/interfaces"
	check_msg 0 "a guest without addresses starts, saying loudly it is not isolated" \
		"NOT network isolated" "$VS" "$g" start
	check "stop" "$VS" "$g" stop
	check_msg 1 "chbind says the kernel lacks network contexts" "no network contexts" \
		"$VSB/tools/chbind" --nid 4409 --ip 198.18.0.19 -- /bin/true
	skip "network contexts" "this kernel has no network contexts (no /proc/virtnet; $(uname -r))"
	finish; exit 0
fi

DEV=vsdummy0
if ! ip link add $DEV type dummy 2>"$OUT"; then
	skip "network contexts" "cannot create a dummy link: $(cat "$OUT")"
	finish; exit 0
fi
trap 'ip link del $DEV 2>/dev/null' EXIT
ip link set $DEV up
ip addr add 198.18.0.1/24 dev $DEV
ip addr add fd00:18::1/64 dev $DEV nodad
ip addr add 198.18.0.13/24 dev $DEV   # pre-existing, for g2

PIDS=()
bg() { "$@" >>"$T/bg.log" 2>&1 & PIDS+=($!); }
stop_bg() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }
in_g() { local g=$1; shift; "$VS" "$g" exec /bin/vs-probe "$@"; }

g1=$(gname a) g2=$(gname b)
check "build guest a (one IPv4, one IPv6 address on $DEV)" new_guest "$g1" --context 4401 \
	--interface $DEV:198.18.0.11/24 --interface $DEV:fd00:18::11/64
check "build guest b (two IPv4, one of them already on the host, one IPv6)" new_guest "$g2" \
	--context 4402 --interface $DEV:198.18.0.12/24 --interface $DEV:198.18.0.13/24 \
	--interface $DEV:fd00:18::12/64
# NET_RAW in the bounding set: only the network context refuses raw sockets
echo NET_RAW >"$VSERVER_CONFDIR/$g1/bcapabilities"
echo NET_RAW >"$VSERVER_CONFDIR/$g2/bcapabilities"
echo raw_icmp >"$VSERVER_CONFDIR/$g2/ncapabilities"

check "start a" "$VS" "$g1" start
check_msg 0 "start b says it uses the address the host has" "198.18.0.13/24 is already on $DEV" \
	"$VS" "$g2" start
cond "start put a's addresses on $DEV" sh -c "ip addr show $DEV | grep -q 'inet 198.18.0.11/24' && ip addr show $DEV | grep -q 'inet6 fd00:18::11/64'"
cond "... and b's" sh -c "ip addr show $DEV | grep -q 'inet 198.18.0.12/24'"
cond "... without doubling the pre-existing one" test "$(ip -4 addr show | grep -c 'inet 198.18.0.13/')" = 1
check_out "a's processes are in network context 4401 (exec joins it)" '^NxID:[[:space:]]*4401$' \
	"$VS" "$g1" exec grep NxID /proc/self/status
check_out "/proc/virtnet/4401/info lists a's IPv4 address" '198\.18\.0\.11' cat /proc/virtnet/4401/info
check_out "... its loopback address 127.17.49.1" 'Lback:[[:space:]]*127\.17\.49\.1' cat /proc/virtnet/4401/info
check_out "status shows the network context" "network context 4401, loopback 127.17.49.1" "$VS" "$g1" status
check_out "... single_ip for one IPv4 address" "flags .*single_ip" "$VS" "$g1" status
check_json 0 "vserver-stat --json has nid and addresses" \
	".[] | select(.name == \"$g2\") | .nid == 4402 and .network == \"nx\" and (.addresses | index(\"198.18.0.12/24\")) != null" \
	"$VSTAT" --json
check_out "vserver-stat --net lists them" "^4401 +nx +198.18.0.11/24,fd00:18::11/64 $g1" "$VSTAT" --net

# two guests, one port, each gets only its own clients
bg "$VS" "$g1" exec /bin/vs-probe serve 0.0.0.0 8080 60 A
bg "$VS" "$g2" exec /bin/vs-probe serve 198.18.0.12 8080 60 B
bg "$VS" "$g1" exec /bin/vs-probe serve fd00:18::11 8081 60 A6
bg "$VS" "$g2" exec /bin/vs-probe serve fd00:18::12 8081 60 B6
bg "$VS" "$g1" exec /bin/vs-probe serve :: 8082 60 A6W
wait_until 10 sh -c "ss -ltn | grep -q '198.18.0.12]*:8080' && ss -ltn | grep -q ':8082'"
check_out "port 8080: a client of a reaches a" "^got 'A from" "$PROBE" connect 198.18.0.11 8080
check_out "... a client of b reaches b" "^got 'B from" "$PROBE" connect 198.18.0.12 8080
check_out "... a's wildcard bind became its address (single IP)" \
	'198\.18\.0\.11:8080' ss -ltn
check_out "... the host's address is not served by a's wildcard listener" "error ECONNREFUSED" \
	"$PROBE" connect 198.18.0.1 8080
check_out "IPv6 port 8081: a's client reaches a" "^got 'A6 from" "$PROBE" connect fd00:18::11 8081
check_out "... b's client reaches b" "^got 'B6 from" "$PROBE" connect fd00:18::12 8081
check_out "IPv6 wildcard listener of a gets a's clients" "^got 'A6W from" "$PROBE" connect fd00:18::11 8082
check_out "... but not b's" "error ECONNREFUSED" "$PROBE" connect fd00:18::12 8082
check_out "... nor the host's" "error ECONNREFUSED" "$PROBE" connect fd00:18::1 8082

# binding
check_out "a may bind its own address" "^bound 198.18.0.11" in_g "$g1" bind tcp 198.18.0.11 0
check_out "a cannot bind the host's address" "error EADDRNOTAVAIL" in_g "$g1" bind tcp 198.18.0.1 0
check_out "... nor b's (TCP)" "error EADDRNOTAVAIL" in_g "$g1" bind tcp 198.18.0.12 0
check_out "... nor b's (UDP)" "error EADDRNOTAVAIL" in_g "$g1" bind udp 198.18.0.12 0
check_out "... nor the host's IPv6 address" "error EADDRNOTAVAIL" in_g "$g1" bind tcp fd00:18::1 0
check_out "... nor b's IPv6 address" "error EADDRNOTAVAIL" in_g "$g1" bind tcp fd00:18::12 0
check_out "a may bind its own IPv6 address" "^bound fd00:18::11" in_g "$g1" bind tcp fd00:18::11 0
check_out "binding 127.0.0.1 gives a its own loopback address" "^bound 127.17.49.1" \
	in_g "$g1" bind tcp 127.0.0.1 0

# source addresses
bg "$PROBE" serve 0.0.0.0 7070 60 HOST
bg "$PROBE" serve :: 7071 60 HOST6
wait_until 10 sh -c "ss -ltn | grep -q ':7071'"
check_out "a's connection to the host carries a's address" "^got 'HOST from 198.18.0.11'" \
	in_g "$g1" connect 198.18.0.1 7070
check_out "... over IPv6 too" "^got 'HOST6 from fd00:18::11'" in_g "$g1" connect fd00:18::1 7071
check_out "b's carries one of b's" "^got 'HOST from 198.18.0.1[23]'" in_g "$g2" connect 198.18.0.1 7070
cond "the host sees its listener on port 7070" grep -qi ':1B9E ' /proc/net/tcp
check_fail "a does not see the host's sockets in /proc/net/tcp" \
	sh -c "'$VS' '$g1' exec cat /proc/net/tcp | grep -qi ':1B9E '"

# loopback
bg "$PROBE" serve 127.0.0.1 9090 60 HOSTLO
bg "$VS" "$g1" exec /bin/vs-probe serve 127.0.0.1 9091 60 ALO
wait_until 10 sh -c "ss -ltn | grep -q '127.17.49.1:9091'"
check_out "the host's own loopback service works on the host" "^got 'HOSTLO" "$PROBE" connect 127.0.0.1 9090
check_out "a cannot reach the host's loopback service (127.0.0.1 is its own)" \
	"error ECONNREFUSED" in_g "$g1" connect 127.0.0.1 9090
check_out "a reaches its own loopback service at 127.0.0.1" "^got 'ALO" in_g "$g1" connect 127.0.0.1 9091
check_out "b cannot reach a's loopback address" "error (EPERM|EACCES|ECONNREFUSED|ENETUNREACH)" \
	in_g "$g2" connect 127.17.49.1 9091
check_out "b's 127.0.0.1 is not a's" "error ECONNREFUSED" in_g "$g2" connect 127.0.0.1 9091
check_out "a cannot use the host's IPv6 loopback" "error E" in_g "$g1" connect ::1 9090
stop_bg

# what a guest sees
in_g "$g1" addrs >"$T/addrs.a" 2>&1
diag "a sees: $(tr '\n' ' ' <"$T/addrs.a")"
cond "a lists its own addresses" sh -c "grep -q ' 198.18.0.11\$' '$T/addrs.a' && grep -q ' fd00:18::11\$' '$T/addrs.a'"
cond "... and not b's" not grep -Eq ' (198\.18\.0\.1[23]|fd00:18::12)$' "$T/addrs.a"
cond "... nor the host's" not grep -Eq ' (198\.18\.0\.1|fd00:18::1)$' "$T/addrs.a"
check_out "a's ip addr shows its address" "inet 198.18.0.11/24" "$VS" "$g1" exec ip addr
check_out "a's ip link shows lo and $DEV only (hide_netif)" "^2$" sh -c "'$VS' '$g1' exec ip -o link | wc -l"
check_fail "a's ip addr does not show b's" sh -c "'$VS' '$g1' exec ip addr | grep -q 198.18.0.12"
check_fail "a cannot add an address" "$VS" "$g1" exec ip addr add 198.18.0.50/24 dev $DEV

# raw sockets
in_g "$g1" raw >"$T/raw.a" 2>&1
diag "a: $(tr '\n' ' ' <"$T/raw.a")"
cond "raw ICMP refused without raw_icmp (despite CAP_NET_RAW)" grep -q '^raw-icmp error EPERM' "$T/raw.a"
cond "raw IP refused" grep -q '^raw-tcp error EPERM' "$T/raw.a"
cond "raw IPv6 refused" grep -q '^raw6-udp error EPERM' "$T/raw.a"
cond "packet sockets refused" grep -q '^packet error EPERM' "$T/raw.a"
in_g "$g2" raw >"$T/raw.b" 2>&1
cond "with ncapabilities raw_icmp, raw ICMP is allowed" grep -q '^raw-icmp ok' "$T/raw.b"
cond "... and raw IP still refused" grep -q '^raw-tcp error EPERM' "$T/raw.b"
check_out "... ping from b works" "^reply" in_g "$g2" ping 198.18.0.1

# stop
check "stop a" "$VS" "$g1" stop
check "stop b" "$VS" "$g2" stop
cond "stop removed a's addresses" not sh -c "ip addr show $DEV | grep -Eq '198.18.0.11/|fd00:18::11/'"
cond "... and b's own" not sh -c "ip addr show $DEV | grep -q '198.18.0.12/'"
cond "... but not the one the host had before" sh -c "ip addr show $DEV | grep -q '198.18.0.13/'"
cond "... and not the host's own" sh -c "ip addr show $DEV | grep -q '198.18.0.1/24'"
cond "the network contexts are gone" test ! -e /proc/virtnet/4401 -a ! -e /proc/virtnet/4402

# a start that fails after adding the addresses leaves none
check_fail "a start that fails late fails" env VSERVER_HELPERDIR=/nonexistent "$VS" "$g1" start
cond "... and leaves no address behind" not sh -c "ip addr show $DEV | grep -q '198.18.0.11/'"
cond "... nor a network context" test ! -e /proc/virtnet/4401

# chbind / naddress (the addresses must exist on the host to be bound)
ip addr add 198.18.0.19/24 dev $DEV
ip addr add 198.18.0.21/24 dev $DEV
check_out "chbind: a command bound to one address binds it for 0.0.0.0" "^bound 198.18.0.19" \
	"$VSB/tools/chbind" --nid 4409 --ip 198.18.0.19 -- "$PROBE" bind tcp 0.0.0.0 0
check_out "chbind: a foreign address is refused" "error EADDRNOTAVAIL" \
	"$VSB/tools/chbind" --nid 4409 --ip 198.18.0.19 -- "$PROBE" bind tcp 198.18.0.1 0
check_out "naddress adds an address to a running context" "198\.18\.0\.21" \
	"$VSB/tools/chbind" --nid 4410 --ip 198.18.0.20 -- sh -c \
	"'$VSB/tools/naddress' --nid 4410 --add --ip 198.18.0.21/24 && cat /proc/virtnet/4410/info"
check_out "... which the context may then bind" "^bound 198.18.0.21" \
	"$VSB/tools/chbind" --nid 4410 --ip 198.18.0.20 -- sh -c \
	"'$VSB/tools/naddress' --nid 4410 --add --ip 198.18.0.21 && '$PROBE' bind tcp 198.18.0.21 0"
check_out "naddress --remove takes it away again" "error EADDRNOTAVAIL" \
	"$VSB/tools/chbind" --nid 4410 --ip 198.18.0.20 --ip 198.18.0.21 -- sh -c \
	"'$VSB/tools/naddress' --nid 4410 --remove --ip 198.18.0.21 && '$PROBE' bind tcp 198.18.0.21 0"
check_msg 1 "naddress on a missing context fails clearly" "does not exist" \
	"$VSB/tools/naddress" --nid 4499 --add --ip 198.18.0.30
check_msg 2 "naddress refuses a bad address" "not an IPv4 or IPv6 address" \
	"$VSB/tools/naddress" --nid 4499 --add --ip 198.18.0.300
finish
