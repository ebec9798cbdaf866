# vserver NAME console / log: the console a monitor keeps (apps/init/monitor):
# its log (after start, capped, still readable after stop, gone with the
# guest), attaching to it (pipe and terminal, Ctrl-a q, the terminal put
# back), and the refusal without a monitor.
. "$VS_TESTDIR/lib.sh"

g=$(gname g)
check "build a guest (plain init)" new_guest "$g" --initstyle plain
V=$(vdir "$g")
C=$VSERVER_CONFDIR/$g
R=$VSERVER_RUNDIR
rm -f "$V/sbin/init"
cat >"$V/sbin/init" <<'EOS'
#!/bin/sh
trap 'exit 0' TERM
echo "hello from the guest's init"
if [ -e /etc/chatty ]; then
	# 1.5 MiB on the console, then a last line
	dd if=/dev/zero bs=1024 count=1536 2>/dev/null | tr '\0' x
	echo
	echo chatty-end
fi
while read line; do echo "got: $line"; done
# stdin at its end (/dev/null without a monitor): stay
while :; do sleep 1; done
EOS
chmod 755 "$V/sbin/init"
mkdir -p "$C/apps/init"
echo 2 >"$C/apps/init/stop-timeout"

# without a monitor: nothing keeps the console, and both verbs say so
check "start without a monitor" "$VS" "$g" start
check_refused "console without a monitor is refused, naming the setting" \
	"no console to attach to.*apps/init/monitor" "$VS" "$g" console
check_refused "log without a monitor is refused, naming the setting" \
	"keeps no console log.*apps/init/monitor" "$VS" "$g" log
touch "$C/apps/init/monitor"
check_refused "a guest started before the monitor was set: restart it" \
	"started without a monitor.*restart" "$VS" "$g" console
check "stop" "$VS" "$g" stop
check_refused "console of a stopped guest is refused" "is not running" "$VS" "$g" console

check "start with a monitor" "$VS" "$g" start
cond "the console socket is there" test -S "$R/$g.console"
logs() { "$VS" "$g" log 2>&1; }
has_log() { logs | grep -q -- "$1"; }
cond "log: what the guest's init wrote on its console" wait_until 10 has_log "hello from the guest's init"
check_msg 2 "log -n needs a number" "not a number" "$VS" "$g" log -n x

# attach with a pipe: input reaches the guest's init, its answer comes back,
# Ctrl-a q detaches
{ sleep 0.5; printf 'ping-pipe\n'; sleep 1.5; printf '\001q'; } | "$VS" "$g" console >"$T/con1" 2>&1
rc=$?
cond "console through a pipe: the guest read the input and answered" grep -q "got: ping-pipe" "$T/con1"
cond "... Ctrl-a q detached it (exit $rc)" test "$rc" = 0 -a -n "$(grep detached "$T/con1")"
cond "... and the log has the conversation" has_log "got: ping-pipe"

# log -f follows until the guest stops
"$VS" "$g" log -f >"$T/follow" 2>&1 &
fp=$!

# attach on a terminal (script(1) is the pty driver): raw while attached,
# the terminal as it was afterwards
if command -v script >/dev/null; then
	{ sleep 1; printf 'ping-tty\r'; sleep 1.5; printf '\001q'; sleep 0.5; } |
		script -qec "stty -g >'$T/before'; '$VS' '$g' console; echo rc=\$? >'$T/rc'; stty -g >'$T/after'" \
		"$T/typescript" >/dev/null 2>&1
	cond "console on a terminal: the guest got the line" grep -q "got: ping-tty" "$T/typescript"
	cond "... Ctrl-a q detached (exit 0)" test "$(cat "$T/rc" 2>/dev/null)" = rc=0
	cond "... and the terminal settings are restored" test -s "$T/before" -a "$(cat "$T/before")" = "$(cat "$T/after" 2>/dev/null)"
	# SIGTERM while attached: the terminal comes back too
	sleep 4 | script -qec "stty -g >'$T/before2'; '$VS' '$g' console </dev/tty 2>'$T/err2' & p=\$!; sleep 1.5; stty -g </dev/tty >'$T/during2'; kill -TERM \$p; wait \$p; stty -g >'$T/after2'" \
		"$T/typescript2" >/dev/null 2>&1
	cond "... raw while attached" test -s "$T/during2" -a "$(cat "$T/before2")" != "$(cat "$T/during2" 2>/dev/null)"
	cond "... restored after SIGTERM" test -s "$T/before2" -a "$(cat "$T/before2")" = "$(cat "$T/after2" 2>/dev/null)"
else
	skip "console on a terminal" "script(1) is missing (util-linux)"
fi

# attached while the guest stops: the console ends and says why
sleep 20 | "$VS" "$g" console >"$T/con3" 2>&1 &
cp=$!
wait_until 5 grep -q Connected "$T/con3"
check "stop" "$VS" "$g" stop
cond "an attached console ends when the guest stops" wait_until 10 not alive "$cp"
cond "... saying so" grep -q "closed: the guest stopped" "$T/con3"
cond "log -f ends when the guest stops" wait_until 10 not alive "$fp"
cond "... having followed the console" grep -q "got: ping-pipe" "$T/follow"
cond "the console socket is gone after stop" test ! -e "$R/$g.console"
cond "the log of the stopped guest is still readable" has_log "hello from the guest's init"
cond "... with how its init ended" has_log "the guest's init exited with status 0"
cond "the run directory keeps only the log after stop" \
	test "$(cd "$R" && ls -A | grep -F "$g" | tr '\n' ' ')" = "$g.log "

# a chatty guest: the log rotates at 512 KiB, one older half kept
touch "$V/etc/chatty"
check "start a chatty guest" "$VS" "$g" start
cond "its console reaches the log's end" wait_until 20 has_log chatty-end
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
cond "the log is capped: NAME.log $(size "$R/$g.log") bytes <= 512 KiB" test "$(size "$R/$g.log")" -le 524288
cond "... NAME.log.1 $(size "$R/$g.log.1") bytes <= 512 KiB" test -e "$R/$g.log.1" -a "$(size "$R/$g.log.1")" -le 524288
cond "... the earlier run's log is gone" not has_log "got: ping-pipe"
check_out "log -n 1: the last line" "^chatty-end\$" "$VS" "$g" log -n 1
cond "... exactly one line" test "$(wc -l <"$OUT")" = 1
check "stop it" "$VS" "$g" stop
check "delete it" "$VS" "$g" delete
cond "delete removes the log too" test -z "$(cd "$R" && ls -A | grep -F "$g")"
finish
