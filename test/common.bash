# Shared set-up for the bats suites.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${MPTCP_TOOLS_BIN:-$TOP/bin}
FIX=$TOP/test/fixtures
PY=/usr/bin/python3
export PATH="$BIN:$PATH"

# Column number of NAME in the header of a TSV file.
col() {
	head -1 "$2" | tr '\t' '\n' | grep -nx "$1" | cut -d: -f1
}

# Values of column NAME of a TSV file, one per line, header dropped.
column_values() {
	local c
	c=$(col "$1" "$2")
	[ -n "$c" ] || { echo "no column $1 in $2" >&2; return 1; }
	tail -n +2 "$2" | cut -f"$c"
}
