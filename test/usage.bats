#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Every tool's -h and usage errors, against the EXIT STATUS sections of
# the man pages: -h prints the usage on standard output and exits 0; an
# unknown option prints it on standard error and exits 2.

setup() {
	load common
}

TOOLS="pcap2pkt flowsplit tcp-metrics mptcp-join mptcp-metrics mptcp-pair ifmatch aggregate socks-dest shard"
PIPELINES="analyze analyze-slurm summary report plot-cdf plot-seq plot-share"

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
