# build -m clone of a running guest: frozen for the copy (cgroup v2
# cgroup.freeze), thawed on every way out (success, failed copy, SIGINT,
# SIGTERM, SIGKILL of the CLI), and the copy is complete.
. "$VS_TESTDIR/lib.sh"

s=$(gname src)
d=$(gname dst)
f=$(gname fail)
GUESTS+=("$d" "$f" "$(gname int)" "$(gname term)" "$(gname kill)" "$(gname nf)")
check "build the source" new_guest "$s"
V=$(vdir "$s")
mkdir -p "$V/root/data"
for n in 1 2 3 4 5 6 7 8; do mkdir "$V/root/data/d$n"; echo "$n" >"$V/root/data/d$n/f"; done
head -c 300000 /dev/urandom >"$V/root/blob"
check "the source starts" "$VS" "$s" start
CG=$(guest_cg "$s")
if [ ! -e "$CG/cgroup.freeze" ]; then
	skip "clone of a running guest" "no cgroup v2 freezer (cgroup.freeze) on this kernel"
	check_refused "... is refused, naming the way out" "no-freeze" \
		"$VS" "$d" build -m clone -- --source "$s"
	finish; exit 0
fi
# a guest process that counts as long as it is not frozen (rename: the
# file is never seen half-written)
check "a counter runs in the guest" "$VS" "$s" exec sh -c \
	'(i=0; while [ ! -e /root/stop ]; do i=$((i+1)); echo $i >/root/counter.new; mv /root/counter.new /root/counter; done) </dev/null >/dev/null 2>&1 &'
counter() { cat "$V/root/counter" 2>/dev/null; }
advances() { local a; a=$(counter); sleep 0.3; [ "$(counter)" != "$a" ]; }
frozen() { [ "$(cat "$CG/cgroup.freeze")" = 1 ] && grep -qx 'frozen 1' "$CG/cgroup.events"; }
thawed() { [ "$(cat "$CG/cgroup.freeze")" = 0 ] && grep -qx 'frozen 0' "$CG/cgroup.events"; }
check "... and advances" wait_until 5 advances

# slow_clone NAME PIDFILE: the clone with every mkdirat delayed (strace),
# so that the test can watch and interrupt it while the source is frozen
slow_clone() {
	strace -f -qq -o /dev/null -e trace=mkdirat -e inject=mkdirat:delay_enter=300000 \
		sh -c 'echo $$ >"$0"; exec "$@"' "$2" "$VS" "$1" build -m clone -- --source "$s"
}
if command -v strace >/dev/null; then
	slow_clone "$d" "$T/pid.d" >"$T/out.d" 2>&1 &
	sp=$!
	if wait_until 20 frozen; then
		ok "the source is frozen during the copy"
		a=$(counter); sleep 0.5
		cond "... and its processes do not run (counter at $a)" test -n "$a" -a "$(counter)" = "$a"
	else
		nok "the source is frozen during the copy" "$(cat "$T/out.d")"
	fi
	wait "$sp"; rc=$?
	cond "the clone succeeds (exit $rc)" test "$rc" = 0
	cond "... and says the source was frozen" grep -q "frozen meanwhile" "$T/out.d"
	for sig in INT TERM KILL; do
		n=$(gname "$(echo $sig | tr A-Z a-z)")
		rm -f "$T/pid.$sig"
		slow_clone "$n" "$T/pid.$sig" >/dev/null 2>&1 &
		sp=$!
		if wait_until 20 frozen && [ -s "$T/pid.$sig" ]; then
			kill -$sig "$(cat "$T/pid.$sig")"
			wait "$sp"
			cond "SIG$sig to the clone during the copy thaws the source" wait_until 5 thawed
			cond "... and the source runs on" wait_until 5 advances
		else
			nok "SIG$sig to the clone during the copy thaws the source" "never frozen"
			wait "$sp"
		fi
	done
else
	skip "the source is frozen during the copy" "strace is missing (needed to slow the copy)"
	check "the clone succeeds" "$VS" "$d" build -m clone -- --source "$s"
fi
cond "the source is thawed after the clone" thawed
check "... and runs on" wait_until 5 advances
W=$(vdir "$d")
# a directory's st_size is not content (tmpfs counts entries, and the
# counter's rename comes and goes in /root while the source runs on):
# directories are compared by name, type and mode, everything else by size too
listing() { (cd "$1" && find . ! -path './root/counter*' ! -path ./root/stop ! -path ./etc/hostname \
	\( \( -type d -printf '%p %y %m\n' \) -o -printf '%p %y %m %s\n' \) | sort); }
# a failure shows only what differs
check "the copy is complete (every file, type, mode and size)" \
	diff <(listing "$V") <(listing "$W")
cond "... with the same data" cmp -s "$V/root/blob" "$W/root/blob"
check "the clone starts" "$VS" "$d" start
check "stop the clone" "$VS" "$d" stop

# a copy that fails (its root on a file system too small for it)
mkdir -p "$T/small"
if mount -t tmpfs -o size=256k vs-small "$T/small"; then
	check_refused "a clone that runs out of space fails" "No space" \
		"$VS" "$f" build -m clone --vdir "$T/small/g" -- --source "$s"
	cond "... and leaves the source thawed" thawed
	check "... and running" wait_until 5 advances
	cond "... and nothing of the clone" test ! -e "$VSERVER_CONFDIR/$f"
	umount "$T/small"
else
	skip "a clone that runs out of space fails" "cannot mount a tmpfs"
fi

# the admin's own freeze is not undone behind their back
echo 1 >"$CG/cgroup.freeze"
check_refused "a source the admin froze is refused" "frozen already" \
	"$VS" "$(gname nf)" build -m clone -- --source "$s"
cond "... and stays frozen" frozen
echo 0 >"$CG/cgroup.freeze"
# unfrozen, a file that vanishes mid-copy fails the clone (never a silent
# gap): the counter stops for this one
touch "$V/root/stop"
check "the counter stops" wait_until 5 not advances
check_msg 0 "--no-freeze copies it running, with a warning" "without freezing" \
	"$VS" "$(gname nf)" build -m clone -- --source "$s" --no-freeze
cond "... and never froze it" thawed
check_refused "--no-freeze is for clone only" "option of the clone method" \
	"$VS" "$(gname x)" build -m skeleton -- --no-freeze
check "stop the source" "$VS" "$s" stop
finish
