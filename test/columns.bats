#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Every record's columns are defined once (a column table per record, see
# doc/design.md); these tests check that what follows from the table
# agrees with what the tools print and what their man pages document:
# for every tool and record kind, --schema lists the columns of the header
# the tool writes, in the same order, and every column is named in the
# tool's man page. Values are not checked here (the other suites do that,
# against tshark, tcptrace, the kernel and the oracle): the header comes
# from the tool's own output, the names from the man page text.

setup() {
	load common
	MP=$FIX/gen/mptcp-both.pcap
	[ -s "$MP" ] || fail "missing fixture $MP"
}

# The column names of a --schema output, tab-joined like a header.
schema_names() {
	awk -F'\t' 'NR == 1 { if ($0 != "column\ttype\tunit\tmeaning") { print "bad schema header: " $0 > "/dev/stderr"; exit 1 }; next }
	    NF != 4 { print "schema line " NR " has " NF " fields" > "/dev/stderr"; exit 1 }
	    { printf "%s%s", (NR > 2 ? "\t" : ""), $1 } END { print "" }'
}

# same_columns "what" SCHEMA HEADER: the two lists are equal, else the
# first difference.
same_columns() {
	[ -n "$3" ] || fail "$1: empty header"
	[ "$2" = "$3" ] && return 0
	diff <(tr '\t' '\n' <<< "$2") <(tr '\t' '\n' <<< "$3") >&2 || true
	fail "$1: --schema (<) and the header (>) differ"
}

# The words the man pages name as macro arguments (.It, .Cm, .Li lines).
man_words() {
	for m in "$@"; do
		[ -s "$TOP/man/$m" ] || fail "no man page $m"
		grep -E '^\.(It|Cm|Li|Op|Pq|Ql)' "$TOP/man/$m"
	done | tr -c 'A-Za-z0-9_\n' '\n' | sort -u
}

# in_man "what" HEADER PAGE...: every column of HEADER is named in one of
# the pages; a per-direction column (c2s_, s2c_) may be named once for
# both directions, by its c2s_ name or without the prefix, as the pages
# document them; lists the missing ones.
in_man() {
	local what=$1 header=$2 words missing=
	shift 2
	words=$(man_words "$@")
	for c in $(tr '\t' ' ' <<< "$header"); do
		base=${c#c2s_}
		base=${base#s2c_}
		grep -qx -- "$c" <<< "$words" || grep -qx -- "$base" <<< "$words" ||
		    { [ "$c" != "$base" ] && grep -qx -- "c2s_$base" <<< "$words"; } || missing="$missing $c"
	done
	[ -z "$missing" ] || fail "$what: not in $*:$missing"
}

# check TOOL "OPTIONS" INPUT PAGES...: schema vs header of TOOL OPTIONS
# INPUT (its standard output), and the man pages.
check() {
	local tool=$1 opts=$2 input=$3 schema header
	shift 3
	# shellcheck disable=SC2086
	schema=$("$tool" $opts --schema | schema_names) || fail "$tool $opts --schema failed"
	# shellcheck disable=SC2086
	header=$("$tool" $opts "$input" 2> /dev/null | head -1)
	same_columns "$tool $opts" "$schema" "$header"
	in_man "$tool $opts" "$header" "$@"
}

@test "pcap2pkt: the packet record, default, -c and -x" {
	check pcap2pkt "" "$MP" pcap2pkt.1
	check pcap2pkt "-x 8" "$MP" pcap2pkt.1
	check pcap2pkt "-c frame,dsn,ts,dsn,payload -x 4" "$MP" pcap2pkt.1
}

@test "flowsplit: the tagged packet record" {
	schema=$(flowsplit --schema | schema_names)
	header=$(pcap2pkt "$MP" | flowsplit | head -1)
	same_columns flowsplit "$schema" "$header"
	in_man flowsplit "$header" flowsplit.1 pcap2pkt.1
}

@test "tcp-metrics: the connection record and every event record" {
	check tcp-metrics "" "$MP" tcp-metrics.1
	for e in rtt rexmit ack inflight; do
		check tcp-metrics "-e $e -o /dev/null" "$MP" tcp-metrics.1
	done
	# the pipeline writes the same header
	schema=$(tcp-metrics --schema | schema_names)
	header=$(pcap2pkt "$MP" | flowsplit | tcp-metrics | head -1)
	same_columns "tcp-metrics (pipe)" "$schema" "$header"
}

@test "mptcp-join: the tagged packet record and the subflow table" {
	check mptcp-join "" "$MP" mptcp-join.1 flowsplit.1 pcap2pkt.1
	check mptcp-join "-s" "$MP" mptcp-join.1
	schema=$(mptcp-join --schema | schema_names)
	header=$(pcap2pkt "$MP" | flowsplit | mptcp-join | head -1)
	same_columns "mptcp-join (pipe)" "$schema" "$header"
}

@test "mptcp-metrics: connection, subflow and every event record" {
	check mptcp-metrics "" "$MP" mptcp-metrics.1
	check mptcp-metrics "-s" "$MP" mptcp-metrics.1
	for e in bursts reinject rtt dack addr seq stall; do
		check mptcp-metrics "-e $e" "$MP" mptcp-metrics.1
	done
	schema=$(mptcp-metrics -s --schema | schema_names)
	header=$(pcap2pkt "$MP" | flowsplit | mptcp-join | mptcp-metrics -s | head -1)
	same_columns "mptcp-metrics -s (pipe)" "$schema" "$header"
}

@test "socks-dest: the connection record, of a capture and of records with and without mptcp-join" {
	local s=$FIX/socks/socks.pcap schema header
	[ -s "$s" ] || fail "missing fixture $s"
	check socks-dest "-k x" "$s" socks-dest.1
	check socks-dest "-k x" "$MP" socks-dest.1
	schema=$(socks-dest --schema | schema_names)
	header=$(pcap2pkt -x 16 "$MP" | flowsplit | mptcp-join | socks-dest -k x | head -1)
	same_columns "socks-dest (pipe with mptcp-join)" "$schema" "$header"
	# without mptcp-join's columns: the same record less mpconn and subflow
	header=$(pcap2pkt -x 16 "$MP" | flowsplit | socks-dest -k x | head -1)
	[[ $schema == *$'\tmpconn\tsubflow\t'* ]] || fail "no mpconn, subflow in the schema"
	same_columns "socks-dest (pipe)" "${schema/$'\tmpconn\tsubflow'/}" "$header"
}

@test "mptcp-derive: every record, of the tables of a capture" {
	local d=$BATS_TEST_TMPDIR/t r schema header
	mptcp-tables -M -J -l -o "$d" "$MP"
	ifmatch "$d/mptcp_subflows.tsv" > "$d/sf.tsv"
	for r in conn mptcp subflow burst share default; do
		schema=$(mptcp-derive -r $r --schema | schema_names)
		header=$(mptcp-derive -r $r -t "$d/tcp_conns.tsv" -s "$d/sf.tsv" -m "$d/mptcp_conns.tsv" | head -1)
		same_columns "mptcp-derive -r $r" "$schema" "$header"
		in_man "mptcp-derive -r $r" "$header" mptcp-derive.1
	done
	# the path-manager records read the address events too (not -l)
	mptcp-tables -M -J -o "$d/pm" "$MP"
	for r in pm pmevents; do
		schema=$(mptcp-derive -r $r --schema | schema_names)
		header=$(mptcp-derive -r $r -s "$d/pm/mptcp_subflows.tsv" -a "$d/pm/mptcp_addr.tsv" -m "$d/pm/mptcp_conns.tsv" | head -1)
		same_columns "mptcp-derive -r $r" "$schema" "$header"
		in_man "mptcp-derive -r $r" "$header" mptcp-derive.1
	done
	# and the records of the burst events
	ifmatch "$d/pm/mptcp_subflows.tsv" > "$d/pm/sf.tsv"
	for r in burst burstsize unused; do
		schema=$(mptcp-derive -r $r --schema | schema_names)
		header=$(mptcp-derive -r $r -t "$d/pm/tcp_conns.tsv" -s "$d/pm/sf.tsv" -m "$d/pm/mptcp_conns.tsv" \
		    -e "$d/pm/mptcp_bursts.tsv" | head -1)
		same_columns "mptcp-derive -r $r -e" "$schema" "$header"
		in_man "mptcp-derive -r $r" "$header" mptcp-derive.1
	done
}

@test "series: every record, of an analysed capture's tables" {
	local d=$BATS_TEST_TMPDIR/s r schema header
	"$TOP/pipelines/analyze" -o "$d" "$MP" > /dev/null 2>&1
	tcp-metrics -e inflight -o /dev/null "$MP" > "$d/mptcp-both/tcp_inflight.tsv"
	for r in goodput rtt inflight; do
		schema=$(series -r $r --schema | schema_names)
		header=$(series -r $r "$d/mptcp-both" | head -1)
		same_columns "series -r $r" "$schema" "$header"
		in_man "series -r $r" "$header" series.1
		# -t: per TCP connection
		schema=$(series -t -r $r --schema | schema_names)
		header=$(series -t -r $r "$d/mptcp-both" | head -1)
		same_columns "series -t -r $r" "$schema" "$header"
		in_man "series -t -r $r" "$header" series.1
	done
	schema=$(series -r trace --schema | schema_names)
	header=$(series -r trace "$d/mptcp-both" | head -1)
	same_columns "series -r trace" "$schema" "$header"
	in_man "series -r trace" "$header" series.1
}

@test "--schema: every type is one of the documented set, every line has a meaning" {
	types=" count int bool id ts duration_s ms frac real text addr port hex "
	for cmd in "pcap2pkt -x 4" flowsplit tcp-metrics "tcp-metrics -e rtt" \
	    "tcp-metrics -e rexmit" "tcp-metrics -e ack" "tcp-metrics -e inflight" \
	    mptcp-join "mptcp-join -s" mptcp-metrics "mptcp-metrics -s" \
	    "mptcp-metrics -e bursts" "mptcp-metrics -e reinject" "mptcp-metrics -e rtt" \
	    "mptcp-metrics -e dack" "mptcp-metrics -e addr" "mptcp-metrics -e seq" \
	    "mptcp-metrics -e stall" socks-dest \
	    "mptcp-derive -r conn" "mptcp-derive -r mptcp" "mptcp-derive -r subflow" \
	    "mptcp-derive -r burst" "mptcp-derive -r share" "mptcp-derive -r default" \
	    "mptcp-derive -r pm" "mptcp-derive -r pmevents" "mptcp-derive -r burstsize" "mptcp-derive -r unused" \
	    "mptcp-derive -r ack" "mptcp-derive -r when" \
	    "series -r goodput" "series -r rtt" "series -r inflight" "series -r trace" \
	    "series -t -r goodput" "series -t -r rtt" "series -t -r inflight"; do
		# shellcheck disable=SC2086
		out=$($cmd --schema | tail -n +2)
		[ -n "$out" ] || fail "$cmd --schema: no columns"
		while IFS="$(printf '\t')" read -r name type unit meaning; do
			[[ "$types" == *" $type "* ]] || fail "$cmd: $name has type '$type'"
			[ -n "$unit" ] && [ -n "$meaning" ] || fail "$cmd: $name lacks a unit or meaning"
		done <<< "$out"
	done
	# the types are documented where the man pages say they are
	for t in $types; do
		grep -q "^\.Cm $t\$" "$TOP/man/pcap2pkt.1" || fail "type $t not in pcap2pkt(1)"
	done
}

@test "--schema writes nothing else and reads no input" {
	run --separate-stderr tcp-metrics --schema /nonexistent
	assert_success
	[ -z "$stderr" ]
	run --separate-stderr mptcp-metrics -s -e rtt --schema
	assert_failure 2
}

@test "--capture: a first column in header, schema and every record, escaped; mptcp-tables --schema as its tables' headers" {
	# Expected: the escaping analyze(1) documents (backslash, tab,
	# newline, CR as \\ \t \n \r), derived by hand for this name.
	local name=$'a\\b\tc\nd\re f' want='a\\b\tc\nd\re f'
	run --separate-stderr tcp-metrics --capture "$name" "$MP"
	assert_success
	assert_equal "$(head -1 <<< "$output" | cut -f1-2)" "$(printf 'capture\tconn')"
	assert_equal "$(tail -n +2 <<< "$output" | awk -F'\t' '{ print $1 }' | sort -u)" "$want"
	[ "$(tail -n +2 <<< "$output" | wc -l)" -ge 2 ]
	# the other fields as without the column
	tcp-metrics "$MP" > "$BATS_TEST_TMPDIR/plain"
	cut -f2- <<< "$output" | cmp - "$BATS_TEST_TMPDIR/plain"
	assert_equal "$(mptcp-metrics --capture x -e rtt --schema | sed -n 2p | cut -f1,2)" "$(printf 'capture\ttext')"
	# mptcp-join's packet records pass through: no column of its own
	run mptcp-join --capture x "$MP"
	assert_failure 2
	assert_output "mptcp-join: --capture: only with -s (the subflow table)"
	run tcp-metrics --capture "$(printf '%4097s' x)" "$MP"
	assert_failure 2
	assert_output --partial "at most 4096 bytes"
	# every table of mptcp-tables: its header is its --schema's lines
	mptcp-tables -M --capture x -o "$BATS_TEST_TMPDIR/t" "$MP"
	mptcp-tables -M --capture x --schema > "$BATS_TEST_TMPDIR/schema"
	local t n=0
	for t in "$BATS_TEST_TMPDIR"/t/*.tsv; do
		assert_equal "$(awk -F'\t' -v t="${t##*/}" '$1 == t { printf "%s%s", (n++ ? "\t" : ""), $2 } END { print "" }' "$BATS_TEST_TMPDIR/schema")" \
		    "$(head -1 "$t")"
		n=$((n + 1))
	done
	assert_equal "$n" 13
	assert_equal "$(cut -f1 "$BATS_TEST_TMPDIR/schema" | sort -u | grep -c '\.tsv$')" 13
}
