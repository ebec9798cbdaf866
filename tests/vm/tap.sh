# shellcheck shell=bash
# tap.sh: TAP helpers shared by tests/vm/suite, its in-VM half
# (tests/vm/suite-vm) and tests/vm/selftest-harness. Source it; it defines:
#
#   tap_count FILE          -> "PASSED FAILED SKIPPED" for the TAP in FILE:
#                              column-0 "ok"/"not ok" lines (nested results are
#                              indented or "# "-prefixed and not counted again),
#                              "# SKIP" = skipped, "not ok ... # TODO" = skipped,
#                              results missing from the plan and "Bail out!"
#                              count as failed.
#   tap_section N NAME CMD… -> runs CMD, streams its TAP indented as a TAP 14
#                              subtest, prints "ok N - NAME" or "not ok N - NAME";
#                              adds its counts to TAP_PASSED/TAP_FAILED/TAP_SKIPPED.
#                              A command that exits non-zero without a failing
#                              result counts as one failure. Returns 0/1.
#   tap_skip_section N NAME REASON -> "ok N - NAME # SKIP REASON", one skipped.
#   tap_summary             -> the plain "N passed, N failed, N skipped" line.

TAP_PASSED=${TAP_PASSED:-0}
TAP_FAILED=${TAP_FAILED:-0}
TAP_SKIPPED=${TAP_SKIPPED:-0}

tap_count() {
	awk '
	/^1\.\.[0-9]+/ { split($0, a, /[^0-9]+/); plan = a[2]; haveplan = 1; next }
	/^Bail out!/ { bail = 1; next }
	/^(not )?ok([ \t]|$)/ {
		n++
		line = $0
		low = tolower(line)
		if (low ~ /#[ \t]*skip/) { skip++; next }
		if (line ~ /^not ok/) {
			if (low ~ /#[ \t]*todo/) skip++; else fail++
		} else pass++
	}
	END {
		if (haveplan && plan > n) fail += plan - n
		if (bail) fail++
		printf "%d %d %d\n", pass, fail, skip
	}' "$1"
}

tap_section() {
	local num=$1 name=$2 out st=0 p f s
	shift 2
	out=$(mktemp "${TMPDIR:-/tmp}/tap-section.XXXXXX")
	echo "# Subtest: $name"
	# The section's own stdout is its TAP; its stderr joins the stream as
	# diagnostics so the report shows why something failed.
	# (Works with and without the caller's pipefail and errexit.)
	if "$@" 2>&1 | tee "$out" | sed -u 's/^/    /'; then
		st=${PIPESTATUS[0]}
	else
		st=${PIPESTATUS[0]}
	fi
	read -r p f s < <(tap_count "$out")
	if [ "$st" != 0 ] && [ "$f" = 0 ]; then
		echo "    # $name exited with status $st without a failing result"
		f=1
	fi
	if [ $((p + f + s)) = 0 ]; then
		echo "    # $name printed no TAP results"
		f=1
	fi
	rm -f "$out"
	TAP_PASSED=$((TAP_PASSED + p))
	TAP_FAILED=$((TAP_FAILED + f))
	TAP_SKIPPED=$((TAP_SKIPPED + s))
	if [ "$f" = 0 ]; then
		echo "ok $num - $name ($p passed, $s skipped)"
		return 0
	fi
	echo "not ok $num - $name ($p passed, $f failed, $s skipped)"
	return 1
}

tap_skip_section() {
	echo "ok $1 - $2 # SKIP $3"
	TAP_SKIPPED=$((TAP_SKIPPED + 1))
}

tap_summary() {
	echo "$TAP_PASSED passed, $TAP_FAILED failed, $TAP_SKIPPED skipped"
}
