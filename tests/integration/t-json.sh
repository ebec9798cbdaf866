# JSON output (json-c): vserver NAME status --json, limit --json,
# vserver-stat --json, read back with jq, values checked; strings that
# need escaping come out as the same strings.
. "$VS_TESTDIR/lib.sh"

g=$(gname j)
check "build with a context, host name and an address" new_guest "$g" --context 791 \
	--hostname web.example --interface 192.0.2.91/24
C=$VSERVER_CONFDIR/$g
check_json 3 "status --json of a stopped guest: state, configured context and address, exit 3" \
	'.name == "'"$g"'" and .state == "stopped" and .context == 791 and .addresses == ["192.0.2.91/24"] and .hostname == "web.example" and .autostart == false and .mark == null and .incomplete == false' \
	"$VS" "$g" status --json
check_msg 2 "status --json takes no other argument" "unexpected argument 'x'" "$VS" "$g" status --json x
# a mark with a quote and a backslash (printable, so the configuration
# accepts it) must come back as exactly that string
printf '%s\n' 'q"uo\te' >"$C/apps/init/mark"
check_json 3 "... a mark with a quote and a backslash comes back unchanged" \
	'.mark == "q\"uo\\te" and .autostart == false' "$VS" "$g" status --json
echo default >"$C/apps/init/mark"
check_json 3 "... mark \"default\" is autostart" '.mark == "default" and .autostart == true' \
	"$VS" "$g" status --json
mkdir -p "$C/rlimits"
echo 200 >"$C/rlimits/nofile"
echo inf >"$C/rlimits/nproc"
check_json 0 "limit --json of a stopped guest: the configured values, \"inf\" for unlimited, null for no use" \
	'(.[] | select(.name == "nproc") | .hard == "inf" and .current == null) and (.[] | select(.name == "nofile") | .hard == 200)' \
	"$VS" "$g" limit --json
rm "$C/rlimits/nproc"	# the pids controller may not be delegated here
check "start" "$VS" "$g" start
"$VS" "$g" exec /bin/sh -c 'sleep 1234 >/dev/null 2>&1 &' >/dev/null
check_json 0 "status --json of a running guest: state, context, processes, init pid, backend" \
	'.state == "running" and .context == 791 and .processes >= 2 and .init_pid > 0 and (.backend | test("^(ns|vx)$")) and .uptime_ms >= 0 and (.limits | type) == "array" and (.not_enforced | type) == "array"' \
	"$VS" "$g" status --json
pid=$(jq -r .init_pid "$OUT" 2>/dev/null)
cond "... its init_pid is the guest's init on the host" test -d "/proc/${pid:-0}"
check_json 0 "... the network: mode and the guest's address" \
	'(.network | type) == "string" and .addresses == ["192.0.2.91/24"]' "$VS" "$g" status --json
check_json 0 "vserver-stat --json agrees on context and processes with status --json" \
	".[] | select(.name == \"$g\") | .context == 791 and .processes >= 2" "$VSTAT" --json
check "limit nofile 150 (live)" "$VS" "$g" limit nofile 150
check_json 0 "limit --json: nofile with soft and hard 150, numbers not strings" \
	'.[] | select(.name == "nofile") | .soft == 150 and .hard == 150 and (.id | type) == "number"' \
	"$VS" "$g" limit --json
check_msg 2 "limit --json with a value is refused" "only shows limits" "$VS" "$g" limit nofile 5 --json
check "stop" "$VS" "$g" stop
check_json 0 "vserver-stat --json with nothing running is an empty array" \
	"map(select(.name == \"$g\")) == []" "$VSTAT" --json
finish
