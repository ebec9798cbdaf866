# Killing a debootstrap build at several points: nothing it mounted is left
# in any mount namespace, none of its processes lives on, and the next
# command (start, delete, build --force) converges.  Uses a cached archive
# (debootstrap --make-tarball, made once into /var/cache/vserver/debootstrap
# when the mirror answers), so the runs do not depend on the network.
. "$VS_TESTDIR/lib.sh"

CACHE=${VS_DEBOOTSTRAP_CACHE:-/var/cache/vserver/debootstrap/bookworm-minbase.tgz}
MIRROR=${VS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ -n "${VSERVER_IN_VM:-}" ]; then
	# nothing here depends on the backend or the kernel patch; 4 minutes
	# once on the host is enough
	skip "killed debootstrap builds" "runs on the host only (backend-independent)"
	finish; exit 0
fi
if ! command -v debootstrap >/dev/null; then
	skip "killed debootstrap builds" "debootstrap is not installed"
	finish; exit 0
fi
if [ ! -s "$CACHE" ]; then
	if ! timeout 10 wget -q -O /dev/null "$MIRROR/dists/bookworm/Release"; then
		skip "killed debootstrap builds" "no cached archive $CACHE and the mirror $MIRROR does not answer"
		finish; exit 0
	fi
	diag "making the cached archive $CACHE (once)"
	mkdir -p "${CACHE%/*}"
	debootstrap --make-tarball="$CACHE.tmp" --variant=minbase --include=sysv-rc bookworm \
		"$T/mk-tarball" "$MIRROR" >"$T/mk-tarball.log" 2>&1 && mv "$CACHE.tmp" "$CACHE" || {
		rm -f "$CACHE.tmp"
		skip "killed debootstrap builds" "debootstrap --make-tarball failed: $(tail -n 1 "$T/mk-tarball.log")"
		finish; exit 0
	}
fi
cat >"$T/debootstrap-cached" <<EOF
#!/bin/sh
exec debootstrap --unpack-tarball="$CACHE" "\$@"
EOF
chmod 755 "$T/debootstrap-cached"

# start_build NAME [--force]: a debootstrap build in the background; sets BPID
start_build() {
	local n=$1; shift
	BLOG=$T/build-$n.log
	"$VS" "$n" build "$@" -m debootstrap -- --debootstrap "$T/debootstrap-cached" >"$BLOG" 2>&1 &
	BPID=$!
}
# at REGEX: waits until the build's output says REGEX (or the build ends)
at() { wait_until 300 grep -Eq -- "$1" "$BLOG"; }
# the build's process group, from its record
build_group() { sed -n 's/^pgid=\([0-9]*\) .*/\1/p' "$VSERVER_RUNDIR/.build.$1" 2>/dev/null; }
group_gone() { ! pgrep -g "$1" >/dev/null; }
no_mounts() { ! mounted_anywhere "$(vdir "$1")"; }
no_mounts_host() { ! grep -qF " $(vdir "$1")/" /proc/self/mountinfo; }
# the guest's root stays absent (no orphan recreates it)
stays_gone() { sleep 3; [ ! -e "$(vdir "$1")" ] && [ ! -e "$VSERVER_CONFDIR/$1" ]; }

# 1. SIGINT while the base system is extracted: the build fails, says so
# and removes what it made
g=$(gname int); GUESTS+=("$g")
start_build "$g"
if at "I: Extracting"; then
	pg=$(build_group "$g")
	kill -INT "$BPID"; wait "$BPID"; rc=$?
	cond "SIGINT: the build fails" test "$rc" != 0
	cond "SIGINT: it says it was interrupted" grep -q "interrupted (Interrupt)" "$BLOG"
	cond "SIGINT: its process group is gone" group_gone "${pg:-0}"
	cond "SIGINT: nothing mounted under the guest root anywhere" no_mounts "$g"
	cond "SIGINT: guest and root removed, and they stay away" stays_gone "$g"
else nok "SIGINT: the build reached 'I: Extracting'" "$(tail -n 5 "$BLOG")"; fi

# 2. SIGKILL of the CLI once proc is mounted (second stage): the group dies
# with it (the supervisor's parent-death signal), start refuses and delete
# removes everything
g=$(gname kill); GUESTS+=("$g")
start_build "$g"
if at "I: Installing core packages"; then
	pg=$(build_group "$g")
	cond "the build mounted proc in the guest root (in some namespace)" \
		wait_until 20 mounted_anywhere "$(vdir "$g")/proc"
	cond "SIGKILL: the build's mounts exist only in its own namespace" no_mounts_host "$g"
	kill -KILL "$BPID"; wait "$BPID" 2>/dev/null
	cond "SIGKILL: the build's processes die with the CLI" wait_until 5 group_gone "${pg:-0}"
	cond "SIGKILL: nothing mounted under the guest root anywhere" no_mounts "$g"
	check_refused "SIGKILL: start refuses the incomplete guest" "incomplete" "$VS" "$g" start
	check "SIGKILL: delete works" "$VS" "$g" delete
	cond "SIGKILL: guest and root stay away" stays_gone "$g"
else nok "SIGKILL: the build reached 'I: Installing core packages'" "$(tail -n 5 "$BLOG")"; fi

# 3. SIGTERM late, while packages are configured
g=$(gname term); GUESTS+=("$g")
start_build "$g"
if at "I: Configuring "; then
	pg=$(build_group "$g")
	kill -TERM "$BPID"; wait "$BPID"; rc=$?
	cond "SIGTERM: the build fails saying so" grep -q "interrupted (Terminated)" "$BLOG"
	cond "SIGTERM: its process group is gone" group_gone "${pg:-0}"
	cond "SIGTERM: nothing mounted under the guest root anywhere" no_mounts "$g"
	cond "SIGTERM: guest and root removed, and they stay away" stays_gone "$g"
else nok "SIGTERM: the build reached 'I: Configuring'" "$(tail -n 5 "$BLOG")"; fi

# 4. SIGKILL of the CLI and of the supervisor together (nobody left to end
# the group): the next build --force ends what is left, then succeeds
g=$(gname force); GUESTS+=("$g")
start_build "$g"
if at "I: Installing core packages"; then
	pg=$(build_group "$g")
	kill -KILL "$BPID" "${pg:-0}"; wait "$BPID" 2>/dev/null
	sleep 1
	cond "kill -9 of CLI and supervisor: the record of the build stays" test -e "$VSERVER_RUNDIR/.build.$g"
	start_build "$g" --force
	wait "$BPID"; rc=$?
	cond "build --force succeeds" test "$rc" = 0
	cond "it ended the interrupted build's processes first" grep -q "ending what is left of an interrupted build" "$BLOG"
	cond "the old group is gone" group_gone "${pg:-0}"
	cond "the guest is Debian" test -s "$(vdir "$g")/etc/debian_version"
	cond "success: nothing mounted under the guest root anywhere" no_mounts "$g"
	cond "success: no build record left" test ! -e "$VSERVER_RUNDIR/.build.$g"
	check "delete the built guest" "$VS" "$g" delete
else nok "kill -9: the build reached 'I: Installing core packages'" "$(tail -n 5 "$BLOG")"; fi
finish
