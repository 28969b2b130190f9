#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Every tool's -h and usage errors, against the EXIT STATUS sections of
# the man pages: -h prints the usage on standard output and exits 0; an
# unknown option prints it on standard error and exits 2.

setup() {
	load common
}

TOOLS="pcap2pkt flowsplit tcp-metrics mptcp-join mptcp-metrics mptcp-pair ifmatch aggregate socks-dest shard mptcp-derive series"
PIPELINES="analyze analyze-slurm summary report plot-cdf plot-seq plot-share plot-box plot-scatter plot-series"

@test "-h: the usage line on standard output, exit 0" {
	for t in $TOOLS; do
		run --separate-stderr "$t" -h
		assert_success
		assert_output --partial "usage: $t"
		[ -z "$stderr" ]
	done
	for t in $PIPELINES; do
		run --separate-stderr "$TOP/pipelines/$t" -h
		assert_success
		assert_output --partial "usage:"
	done
}

@test "an unknown option: the usage line on standard error, exit 2" {
	for t in $TOOLS; do
		run --separate-stderr "$t" -@
		assert_failure 2
		[ -z "$output" ]
		[[ "$stderr" == *"usage: $t"* ]]
	done
	for t in $PIPELINES; do
		run --separate-stderr "$TOP/pipelines/$t" -@
		assert_failure 2
	done
}

@test "-h to a full device: the pipelines fail, with the write error" {
	# (the filters' -h is the C side's: see issue 16)
	for t in $PIPELINES; do
		run --separate-stderr "$TOP/pipelines/$t" -h
		assert_success
		run --separate-stderr sh -c '"$1" -h > /dev/full' sh "$TOP/pipelines/$t"
		[ "$status" -ne 0 ] || fail "$t -h > /dev/full exits 0"
		[[ "$stderr" == *"No space left on device"* ]] || fail "$t: '$stderr'"
	done
}

@test "--version: the tool's name and the file VERSION" {
	want=$(cat "$TOP/VERSION")
	[ -n "$want" ] || fail "empty VERSION"
	for t in pcap2pkt flowsplit tcp-metrics mptcp-join mptcp-metrics socks-dest; do
		run --separate-stderr "$t" --version
		assert_success
		assert_output "$t $want"
	done
}

# Every tool, found by globbing (a new one is covered without an edit here)
all_tools() {
	local f
	for f in "$BIN"/* "$TOP"/pipelines/*; do
		[ -f "$f" ] && [ -x "$f" ] && printf '%s\n' "$f"
	done
}

@test "--help and --version in every bin/* and pipelines/*" {
	# Expected: the tool's file name and the file VERSION
	local want t n count=0
	want=$(cat "$TOP/VERSION")
	[ -n "$want" ] || fail "empty VERSION"
	while IFS= read -r t; do
		n=${t##*/}
		run --separate-stderr "$t" --version
		[ "$status" -eq 0 ] || fail "$n --version: status $status: $stderr"
		[ "$output" = "$n $want" ] || fail "$n --version: '$output'"
		run --separate-stderr "$t" --help
		[ "$status" -eq 0 ] || fail "$n --help: status $status: $stderr"
		[[ "${lines[0]}" == "usage: $n "* ]] || fail "$n --help: '${lines[0]}'"
		[ -z "$stderr" ] || fail "$n --help: '$stderr'"
		count=$((count + 1))
	done < <(all_tools)
	# the 12 filters and 9 pipelines of today at least
	[ "$count" -ge 21 ] || fail "only $count tools"
}

@test "installed (make install DESTDIR= PREFIX=/usr): mptcp-aggregate and mptcp-NAME, each naming itself so" {
	# Expected: the Makefile's names (pipelines and aggregate as mptcp-*)
	local D=$BATS_TEST_TMPDIR/dest want f n
	want=$(cat "$TOP/VERSION")
	make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr > /dev/null
	[ -x "$D/usr/bin/mptcp-aggregate" ] && [ ! -e "$D/usr/bin/aggregate" ]
	[ -f "$D/usr/share/man/man1/mptcp-aggregate.1" ] && [ ! -e "$D/usr/share/man/man1/aggregate.1" ]
	for n in analyze analyze-slurm summary report plot-cdf plot-seq plot-share plot-box plot-scatter plot-series; do
		[ -x "$D/usr/bin/mptcp-$n" ] || fail "no mptcp-$n"
		[ ! -e "$D/usr/bin/$n" ] || fail "$n installed unprefixed"
	done
	for f in "$D"/usr/bin/*; do
		n=${f##*/}
		run --separate-stderr env -u MPTCP_TOOLS_BIN "$f" --version
		assert_success
		assert_output "$n $want"
		run --separate-stderr env -u MPTCP_TOOLS_BIN "$f" --help
		assert_success
		[[ "${lines[0]}" == "usage: $n "* ]] || fail "$n --help: '${lines[0]}'"
	done
	# messages name the installed tool
	run --separate-stderr env -u MPTCP_TOOLS_BIN "$D/usr/bin/mptcp-analyze" -Z
	assert_failure 2
	[[ "$stderr" == *"mptcp-analyze: unknown option -Z"* ]]
	run --separate-stderr env -u MPTCP_TOOLS_BIN "$D/usr/bin/mptcp-aggregate" -o x
	assert_failure 2
	assert_equal "$stderr" "mptcp-aggregate: -o: expected tsv or csv, got 'x'"
	# an installed run: its messages and its aggregate (a Debian-like
	# aggregate first on PATH must not be the one run)
	mkdir "$BATS_TEST_TMPDIR/fake" "$BATS_TEST_TMPDIR/in"
	printf '#!/bin/sh\necho "the wrong aggregate" >&2\nexit 9\n' > "$BATS_TEST_TMPDIR/fake/aggregate"
	chmod +x "$BATS_TEST_TMPDIR/fake/aggregate"
	cp "$FIX/gen/mptcp-handover.pcap" "$BATS_TEST_TMPDIR/in/mptcp_a_x_20240101-100000_any.pcap"
	run --separate-stderr env -u MPTCP_TOOLS_BIN PATH="$BATS_TEST_TMPDIR/fake:/usr/bin:/bin" \
	    "$D/usr/bin/mptcp-analyze" -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_equal "$stderr" "mptcp-analyze: 1 analysed, 0 partial, 0 failed, 0 skipped as done"
	run --separate-stderr env -u MPTCP_TOOLS_BIN PATH="$BATS_TEST_TMPDIR/fake:/usr/bin:/bin" \
	    "$D/usr/bin/mptcp-summary" -q -o "$BATS_TEST_TMPDIR/sum" "$BATS_TEST_TMPDIR/out"
	assert_success
	[[ "$stderr" != *"wrong aggregate"* ]] || fail "ran the aggregate on PATH"
	[ -s "$BATS_TEST_TMPDIR/sum/index.tsv" ]
	# uninstall removes what install wrote
	make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr > /dev/null
	run find "$D" -type f
	assert_output ""
}
