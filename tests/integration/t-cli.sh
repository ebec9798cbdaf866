# Every tool: --help, --version, usage errors (exit 2), bad names.
. "$VS_TESTDIR/lib.sh"

for tool in vserver vserver-stat vps vkill vwait vserver-boot vserver-info vcontext \
	    vattribute vuname vfattr; do
	check_out "$tool --help prints a usage" "^Usage: $tool" "$VSB/tools/$tool" --help
	check_out "$tool --version names the package" "^$tool \(vserver\) [0-9]" \
		"$VSB/tools/$tool" --version
	check_msg 2 "$tool rejects an unknown option with status 2" "Try '$tool --help'" \
		"$VSB/tools/$tool" --no-such-option
done
check_out "vserver-init --help prints a usage" "usage: vserver-init" "$VSB/init/vserver-init" --help

check_msg 2 "vserver without arguments is a usage error" "expected NAME COMMAND" "$VS"
check_msg 2 "unknown command is a usage error" "unknown command 'frobnicate'" "$VS" x frobnicate
for bad in '../etc' '.hidden' '-x' 'a/b' 'a b' "$(printf 'a\nb')" 'ä' \
	   "$(printf 'x%.0s' $(seq 65))" '' 'a;b' '$(id)'; do
	check_msg 2 "guest name '$(printf %q "$bad")' is refused" "not a valid guest name|invalid option|expected NAME" \
		"$VS" "$bad" build -m skeleton
done
cond "no refused name created anything" test -z "$(ls -A "$VSERVER_CONFDIR")"
check_msg 1 "a guest that does not exist is reported" "does not exist" "$VS" nosuch start
check_msg 2 "build without a method is a usage error" "-m METHOD is required" "$VS" x build
check_msg 2 "build with an unknown method is a usage error" "unknown build method" \
	"$VS" x build -m floppy
check_msg 2 "--context outside 2..49151 is refused" "not a context id" \
	"$VS" x build -m skeleton --context 1
check_msg 2 "--context 49152 is refused" "not a context id" "$VS" x build -m skeleton --context 49152
check_msg 2 "a bad --interface is refused" "interface" "$VS" x build -m skeleton --interface 300.1.1.1
check_msg 2 "an unknown init style is refused" "unknown init style" \
	"$VS" x build -m skeleton --initstyle upstart
check_msg 2 "a bad --hostname is refused" "not a valid host name" \
	"$VS" x build -m skeleton --hostname 'bad name'
check_msg 2 "a relative --confdir is refused" "absolute" "$VS" --confdir relative --list
check_msg 2 "--backend must be auto, ns or vx" "unknown backend" "$VS" --backend lxc --list
check_msg 1 "VSERVER_CONFDIR must be absolute" "VSERVER_CONFDIR" env VSERVER_CONFDIR=rel "$VS" --list
cond "none of the refused builds created anything" test -z "$(ls -A "$VSERVER_CONFDIR")"
check_msg 2 "stop --timeout must be a duration" "not a duration" "$VS" x stop --timeout soon
check_msg 2 "vkill needs a guest or pids" "give --xid" "$VKILL"
check_msg 2 "vkill refuses a bad signal" "not a signal" "$VKILL" --xid x -s NOPE
check_msg 2 "vwait needs exactly one guest" "exactly one" "$VWAIT"
check_msg 2 "vserver-boot needs start, stop or list" "expected start" "$VBOOT"
check_msg 2 "vfattr refuses an unknown attribute" "unknown inode attribute 'bogus'" \
	"$VSB/tools/vfattr" --set bogus /
check_msg 2 "vfattr refuses /proc bits, which are no file attributes" "only barrier, immutable" \
	"$VSB/tools/vfattr" --set hide /
check_msg 2 "vfattr wants a path" "no PATH given" "$VSB/tools/vfattr" --set immutable
check_msg 2 "vattribute refuses an unknown flag" "unknown context flag" \
	"$VSB/tools/vattribute" --set --flag bogus
check_msg 2 "vuname refuses an unknown field" "unknown field" "$VSB/tools/vuname" --set -t bogus=1
check_msg 2 "vcontext needs --create or --migrate" "exactly one of" "$VSB/tools/vcontext" --xid 5 -- true
finish
