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

# Prints the named columns (comma-separated) of a TSV stream, header dropped,
# separated by spaces.
pick() {
	awk -F'\t' -v want="$1" '
	NR == 1 { n = split(want, w, ","); for (i = 1; i <= NF; i++) c[$i] = i
		  for (j = 1; j <= n; j++) if (!(w[j] in c)) { print "no column " w[j] > "/dev/stderr"; exit 1 }
		  next }
	{ s = $(c[w[1]]); for (j = 2; j <= n; j++) s = s " " $(c[w[j]]); print s }'
}
