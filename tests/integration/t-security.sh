# What a guest's root cannot do on the ns backend.  Every probe is harmless
# on the host should it succeed (it writes back what is already there).
. "$VS_TESTDIR/lib.sh"

g=$(gname sec)
check "build" new_guest "$g"
check "start" "$VS" "$g" start
x() { "$VS" "$g" exec /bin/sh -c "$1"; }
check_refused "the guest cannot mount" '[Pp]ermission denied|Operation not permitted' \
	x 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t'
check_refused "the guest cannot create device nodes" 'mknod: .*Operation not permitted' \
	x 'mknod /tmp/sda b 8 0'
check_refused "the guest cannot change its host name" 'hostname: .*Operation not permitted' \
	x 'hostname other'
check_refused "the guest cannot make namespaces" 'unshare: .*Operation not permitted' \
	x 'unshare -m true'
# a host-wide setting every kernel has (core_pattern needs CONFIG_COREDUMP)
sysf=/proc/sys/kernel/core_pattern
[ -e $sysf ] || sysf=/proc/sys/vm/overcommit_memory
check_refused "/proc/sys is read-only (${sysf#/proc/sys/} written back unchanged)" \
	'Read-only file system' x "v=\$(cat $sysf) && printf '%s\n' \"\$v\" > $sysf"
if [ -e /proc/sysrq-trigger ]; then
	check_out "/proc/sysrq-trigger is mounted read-only" 'sysrq-trigger ro,' x 'cat /proc/self/mountinfo'
else
	skip "/proc/sysrq-trigger is mounted read-only" "this kernel has no /proc/sysrq-trigger"
fi
if [ -e /proc/kcore ]; then
	check_out "/proc/kcore is hidden" '^0$' x 'wc -c < /proc/kcore'
else
	skip "/proc/kcore is hidden" "this kernel has no /proc/kcore"
fi
if [ -e /proc/keys ]; then
	check_out "/proc/keys is hidden" '^0$' x 'wc -c < /proc/keys'
else
	skip "/proc/keys is hidden" "this kernel has no /proc/keys"
fi
check_out "/sys is read-only" ' /sys sysfs ro|sysfs on /sys type sysfs \(ro' x 'mount'
devs=$(x 'ls /dev' | tr '\n' ' ')
cond "/dev has only the safe nodes ($devs)" \
	test "$devs" = "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
n=$(x 'ls -d /proc/[0-9]* | wc -l')
cond "the guest sees only its own processes ($n)" test "$n" -lt 10
check_out "the host's processes are invisible" '^absent$' x "test -e /proc/$$ && echo present || echo absent"
caps=$("$VS" "$g" exec /bin/vs-probe caps | sed -n 's/^CapBnd:\t*//p')
bit() { (( (16#$caps >> $1) & 1 )); }
for c in 2:DAC_READ_SEARCH 12:NET_ADMIN 13:NET_RAW 16:SYS_MODULE 17:SYS_RAWIO 19:SYS_PTRACE \
	 21:SYS_ADMIN 25:SYS_TIME 27:MKNOD 24:SYS_RESOURCE; do
	cond "the bounding set lacks CAP_${c#*:}" not bit "${c%%:*}"
done
cond "the bounding set keeps CAP_CHOWN" bit 0
cond "... and CAP_NET_BIND_SERVICE" bit 10
check "stop" "$VS" "$g" stop
echo 'NET_RAW' >"$VSERVER_CONFDIR/$g/bcapabilities"
check "bcapabilities: start" "$VS" "$g" start
caps=$("$VS" "$g" exec /bin/vs-probe caps | sed -n 's/^CapBnd:\t*//p')
cond "a capability configured in bcapabilities is granted" bit 13
check "stop" "$VS" "$g" stop
echo '!CHOWN' >"$VSERVER_CONFDIR/$g/bcapabilities"
check "start" "$VS" "$g" start
check_refused "one removed there is gone" 'chown: .*Operation not permitted' \
	x 'touch /tmp/f && chown 1 /tmp/f'
check "stop" "$VS" "$g" stop
finish
