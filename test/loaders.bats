#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The tables of analyze, read by the loaders researchers use: pandas,
# DuckDB (from the npm registry, test/loaders/package.json), sqlite3,
# Miller and awk, each through the recipe doc/loaders.md gives (the blocks
# marked "loader:", extracted and run as written). Expected values: the
# tables' own text, read field by field by test/loaders/check.py (exact
# integers and decimals, no loader, no guess); every value a loader
# returns must be that text's value, every type the schema's.
#
# The analysis tree has MPTCP captures of several kinds (two paths, loss,
# IPv6, a DSN wrap, v0, failed joins), a TCP one, a gzipped one, two
# captures of the same file name in different folders (their capture
# column must differ), and a name with a space and a backslash.

setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR/in
	mkdir -p "$d/phone1" "$d/phone2"
	cp "$FIX/gen/mptcp-handover.pcap" "$d/mptcp_handover.pcap"
	cp "$FIX/gen/mptcp-loss.pcap" "$d/phone1/mptcp_run.pcap"
	cp "$FIX/gen/mptcp-both.pcap" "$d/phone2/mptcp_run.pcap"
	cp "$FIX/gen/mptcp-ipv6.pcap" "$d/mptcp_ipv6.pcap"
	cp "$FIX/craft/mp-dsnwrap.pcap" "$d/mptcp_dsnwrap.pcap"
	cp "$FIX/craft/mp-v0.pcap" "$d/mptcp_v0.pcap"
	cp "$FIX/craft/mp-join-failed.pcap" "$d/mptcp_odd name\\x.pcap"
	cp "$FIX/gen/tcp-loss.pcap" "$d/tcp_loss.pcap"
	gzip -c "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$d/phone2/mptcp_v1.pcap.gz"
	"$TOP/pipelines/analyze" -q -o "$BATS_FILE_TMPDIR/out" "$d"
	# the recipes, as doc/loaders.md has them
	awk '/^<!-- loader: / { name = $3; getline; on = 1; next }
	    on && /^```$/ { on = 0; next }
	    on { print > (dir "/recipe." name) }' dir="$BATS_FILE_TMPDIR" "$TOP/doc/loaders.md"
}

setup() {
	load common
	OUT=$BATS_FILE_TMPDIR/out
	R=$BATS_FILE_TMPDIR/recipe
	T=$BATS_TEST_TMPDIR
	CHECK=$TOP/test/loaders/check.py
	# an MPTCP capture's schema: every table
	SCHEMA=$OUT/mptcp_handover/schema.tsv
}

@test "the recipes are all in doc/loaders.md" {
	for r in pandas duckdb sqlite3 miller awk; do
		[ -s "$R.$r" ] || fail "no loader: $r block"
	done
}

@test "schema.tsv: every table of every folder, its header's columns in order, each typed" {
	run "$PY" "$CHECK" schema "$OUT"
	assert_success
	assert_output --regexp '^schema: 9 folders, [0-9]+ columns'
}

@test "capture column: the folder under -o, the same file name in two folders kept apart" {
	# Expected: the set-up's tree.
	assert_equal "$(pick capture < "$OUT/phone1/mptcp_run/mptcp_conns.tsv" | sort -u)" phone1/mptcp_run
	assert_equal "$(pick capture < "$OUT/phone2/mptcp_run/mptcp_conns.tsv" | sort -u)" phone2/mptcp_run
	assert_equal "$(pick capture,name < "$OUT/mptcp_odd name\\x/manifest.tsv")" 'mptcp_odd name\\x mptcp_odd name\\x.pcap'
	# concatenated, (capture, mpconn) stays a key: as many as the rows
	cat "$OUT"/phone*/mptcp_run/mptcp_conns.tsv | awk -F'\t' 'FNR > 1 && $1 != "capture"' > "$T/both"
	[ "$(wc -l < "$T/both")" -ge 2 ]
	assert_equal "$(cut -f1,2 "$T/both" | sort -u | wc -l)" "$(wc -l < "$T/both")"
}

@test "pandas: the recipe's types, every value as the text, per capture and concatenated" {
	run "$TOP/test/loaders/run" pandas "$OUT" "$T"
	assert_success
	assert_output --regexp '^pandas: 14 tables, [0-9]{5,} values as the text$'
}

@test "DuckDB: read_csv's guess and the schema's types, every value as the text" {
	run "$TOP/test/loaders/run" duckdb "$OUT" "$T"
	assert_success
	assert_output --regexp '^duckdb: 14 tables, [0-9]{5,} values as the text$'
	# the issue's case: distinct DSNs, as the text has them (a DOUBLE
	# guess merged some)
	# shellcheck disable=SC1090
	. "$R.duckdb"
	local want
	want=$(find "$OUT" -name mptcp_rtt.tsv -exec cat {} + | awk -F'\t' '$1 != "capture" { print $1 "\t" $3 "\t" $4 "\t" $6 }' | sort -u | wc -l)
	printf 'n\tSELECT count(*) FROM (SELECT DISTINCT capture, mpconn, dir, dsn FROM (%s))\n' "$(mt_duck_query "$OUT" mptcp_rtt)" > "$T/n.q"
	node "$TOP/test/loaders/duckdb.mjs" "$T/n.q" > "$T/n.json"
	assert_equal "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["n"]["rows"][0][0])' "$T/n.json")" "$want"
	[ "$want" -gt 100 ]
}

@test "DuckDB: a header-only table typed by the schema, not all text" {
	[ -d "$TOP/test/loaders/node_modules/@duckdb/node-api" ] || fail "DuckDB missing"
	# shellcheck disable=SC1090
	. "$R.duckdb"
	local d=$OUT/mptcp_dsnwrap
	# the crafted capture has no reinjection: a header only
	assert_equal "$(wc -l < "$d/mptcp_reinject.tsv")" 1
	printf 'e\t%s\n' "$(mt_duck_query "$d" mptcp_reinject "$d/schema.tsv")" > "$T/e.q"
	node "$TOP/test/loaders/duckdb.mjs" "$T/e.q" > "$T/e.json"
	assert_equal "$("$PY" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["e"]["types"]))' "$T/e.json")" \
	    "VARCHAR DOUBLE UBIGINT VARCHAR BIGINT BIGINT UBIGINT UBIGINT DOUBLE VARCHAR BIGINT"
	# (the schema's types of its columns: capture text, ts ts, mpconn id,
	# dir text, dsn int, len count, from_ and to_subflow id, delay_s
	# duration, cause text, redundant bool; bool as BIGINT like a count)
}

@test "sqlite3: .import into tables made from the schema, every value as the text" {
	run "$TOP/test/loaders/run" sqlite3 "$OUT" "$T"
	assert_success
	assert_output --regexp '^sqlite3: 14 tables, [0-9]{5,} values as the text$'
	# integers stored as integers, the identifiers as text
	assert_equal "$(sqlite3 "$T/a.db" "SELECT DISTINCT typeof(c_key) FROM mptcp_subflows WHERE c_key IS NOT NULL")" text
	assert_equal "$(sqlite3 "$T/a.db" "SELECT DISTINCT typeof(c2s_data_bytes) FROM mptcp_conns")" integer
}

@test "Miller: rows as written through mlr --tsv, names decoded in JSON" {
	run "$TOP/test/loaders/run" miller "$OUT" "$T"
	assert_success
	assert_line --regexp '^miller manifest: 9 rows as written$'
	assert_equal "${#lines[@]}" 14
	# Miller's 64-bit sums of a count column: exact
	# shellcheck disable=SC1090
	. "$R.miller"
	local want
	want=$(find "$OUT" -name mptcp_conns.tsv -exec cat {} + | "$PY" -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin]
k = rows[0].index("c2s_data_bytes")
print(sum(int(r[k]) for r in rows if r[0] != "capture"))')
	assert_equal "$(mt_mlr_tsv "$OUT" mptcp_conns | mlr --itsv --onidx stats1 -a sum -f c2s_data_bytes)" "$want"
}

@test "awk: every integer column's sum exact (all below 2^53)" {
	run "$TOP/test/loaders/run" awk "$OUT" "$T"
	assert_success
	assert_output --regexp '^awk: [0-9]{3,} column sums exact$'
}
