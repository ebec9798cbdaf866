# bash completion of the tools.
. "$VS_TESTDIR/lib.sh"

bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
	skip "bash completion" "bash-completion is not installed"
	finish; exit 0
fi
g=$(gname c1)
check "build a guest to complete" new_guest "$g"
# complete LINE: prints the candidates for the last word of LINE
complete_line() {
	PATH=$VSB/tools:$PATH bash -c '
		. "$1" 2>/dev/null; . "$2"
		read -ra COMP_WORDS <<<"$3"
		[[ $3 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$3; COMP_POINT=${#COMP_LINE}
		f=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
		"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$VS_SRCDIR/completion/vserver" "$1"
}
cond "vserver completes guest names" grep -qx "$g" <<<"$(complete_line "vserver ")"
cond "... then commands" grep -qx exec <<<"$(complete_line "vserver $g ")"
cond "... build methods after -m" \
	test "$(complete_line "vserver $g build -m " | sort | tr '\n' ' ')" = "busybox clone debootstrap skeleton template "
cond "... init styles" grep -qx minit <<<"$(complete_line "vserver $g build --initstyle ")"
cond "... method options after --" grep -qx -- --source <<<"$(complete_line "vserver $g build -m clone -- ")"
cond "... --no-freeze for clone" grep -qx -- --no-freeze <<<"$(complete_line "vserver $g build -m clone -- --no")"
cond "... the console and log commands" test "$(complete_line "vserver $g con") $(complete_line "vserver $g lo")" = "console log"
cond "... log's options" grep -qx -- --follow <<<"$(complete_line "vserver $g log --f")"
cond "... a source guest for clone" grep -qx "$g" <<<"$(complete_line "vserver x build -m clone -- --source ")"
cond "... backends" grep -qx vx <<<"$(complete_line "vserver --backend ")"
cond "vkill completes signals" grep -qx TERM <<<"$(complete_line "vkill -s ")"
cond "vkill completes guests for --xid" grep -qx "$g" <<<"$(complete_line "vkill --xid ")"
cond "vserver-boot completes its commands" grep -qx stop <<<"$(complete_line "vserver-boot ")"
cond "vuname completes fields" grep -qx nodename= <<<"$(complete_line "vuname --set -t ")"
cond "vserver NAME limit completes limit names" grep -qx nsock <<<"$(complete_line "vserver $g limit ")"
cond "... and its options" grep -qx -- --save <<<"$(complete_line "vserver $g limit nofile 10 --s")"
cond "vfattr completes attributes after --set" grep -qx ixunlink <<<"$(complete_line "vfattr --set ix")"
cond "... the next one of a list" grep -qx barrier,immutable <<<"$(complete_line "vfattr --set barrier,imm")"
cond "vlimit completes resources" grep -qx -- --nproc <<<"$(complete_line "vlimit --np")"
cond "vlimit completes guests for -c" grep -qx "$g" <<<"$(complete_line "vlimit -c ")"
cond "vserver completes mark, unmark and rename" \
	test "$(complete_line "vserver $g " | grep -E '^(mark|unmark|rename)$' | sort | tr '\n' ' ')" = "mark rename unmark "
cond "... status --json" grep -qx -- --json <<<"$(complete_line "vserver $g status --")"
cond "... the default mark" grep -qx default <<<"$(complete_line "vserver $g mark ")"
cond "... --list --fancy" grep -qx -- --fancy <<<"$(complete_line "vserver --list --f")"
cond "vserver-stat completes --json" grep -qx -- --json <<<"$(complete_line "vserver-stat --j")"
cond "chbind completes network capabilities" grep -qx raw_icmp <<<"$(complete_line "chbind --ncap ")"
cond "naddress completes --remove" grep -qx -- --remove <<<"$(complete_line "naddress --rem")"
cond "vserver-stat completes --net" grep -qx -- --net <<<"$(complete_line "vserver-stat --n")"
cond "vserver-oci completes its commands" grep -qx exec <<<"$(complete_line "vserver-oci ")"
cond "vserver-oci completes --log-format values" grep -qx json <<<"$(complete_line "vserver-oci --log-format ")"
cond "vserver-oci exec completes --console-socket" grep -qx -- --console-socket <<<"$(complete_line "vserver-oci exec --con")"
cond "vserver-oci completes update" grep -qx update <<<"$(complete_line "vserver-oci up")"
cond "vserver-oci update completes --pids-limit" grep -qx -- --pids-limit <<<"$(complete_line "vserver-oci update --pi")"
finish
