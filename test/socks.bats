#!/usr/bin/env bats
# socks-dest: the Shadowsocks table cipher and request header. Expected
# values come from test/ref/socks-ref.py (an independent Python
# implementation), from the destinations chosen when crafting
# test/fixtures/socks/socks.pcap and socks-mptcp.pcap (make-socks.py:
# expected.tsv, expected-mptcp.tsv) and socks-idle.pcap (by hand from
# make-socks-idle.py), from the shadowsocks project's
# published table for the password "foobar!", and, for captures read
# directly, from tshark (frames, times, MPTCP options), tcpdump -w and
# test/ref/capture-offsets (byte offsets of a cut capture).
bats_require_minimum_version 1.5.0

load common

setup() {
    BIN=${MPTCP_TOOLS_BIN:-$BATS_TEST_DIRNAME/../bin}
    REF=$BATS_TEST_DIRNAME/ref/socks-ref.py
    FIX=$BATS_TEST_DIRNAME/fixtures/socks
    T=$BATS_TEST_TMPDIR
    export HOME=$T XDG_CONFIG_HOME=
    unset MPTCP_TOOLS_CONF
    PW='s3cret#1'
    [ -x "$BIN/socks-dest" ] || fail "socks-dest not built"
}

pipeline() { # -x N, then socks-dest options
    local x=$1; shift
    "$BIN/pcap2pkt" -x "$x" "$FIX/socks.pcap" | "$BIN/flowsplit" | "$BIN/socks-dest" "$@"
}

@test "table: the shadowsocks project's vector for 'foobar!'" {
    # shadowsocks (2012) get_table("foobar!") begins < 5 T \x8a \xd9 ^ X \x17 ' \xf2 ...
    run "$BIN/socks-dest" -T -k 'foobar!'
    assert_success
    assert_output --regexp '^3c35548ad95e581727f2db230c9da5b5ff8f53f7a2101fd1[0-9a-f]{464}$'
}

@test "table: same as the Python reference for several passwords" {
    for pw in 'foobar!' 's3cret#1' 'x' 'a much longer pass phrase with spaces' 'ünïcödé'; do
        run "$BIN/socks-dest" -T -k "$pw"
        assert_success
        assert_output "$($REF table "$pw")"
    done
}

@test "crafted capture: IPv4, IPv6 and domain requests through pcap2pkt -x 128 | flowsplit" {
    run pipeline 128 -k "$PW"
    assert_success
    # one record per connection, in conn order except no_payload (at the end)
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    want=$(tail -n +2 "$FIX/expected.tsv" | tr '\t' ' ' | sort)
    assert_equal "$got" "$want"
}

@test "crafted capture: the tuple and the request time are the first client payload's" {
    run pipeline 64 -k "$PW"
    assert_success
    assert_line --index 0 "$(printf 'conn\tipv\tc_addr\tc_port\ts_addr\ts_port\treq_ts\tsocks_atyp\tsocks_addr\tsocks_port\tsocks_ok\tsocks_err')"
    # first PA packet of each connection, from the raw packet records
    want=$("$BIN/pcap2pkt" "$FIX/socks.pcap" | pick src,sport,dst,dport,ts,flags,len |
        awk '$6 == "PA" && !seen[$2]++ { print $1, $2, $3, $4, $5 }' | sort)
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,s_addr,s_port,req_ts | grep -v ' -$' | sort)
    assert_equal "$got" "$want"
}

@test "crafted capture: a header longer than pcap2pkt -x captured is truncated, not garbage" {
    run pipeline 64 -k "$PW"
    assert_success
    run bash -c "printf '%s\n' \"\$0\" | awk -F'\t' '\$4 == 40004'" "$output"
    assert_output --regexp $'\t-\t-\t-\t0\ttruncated$'
}

@test "wrong password: every decode fails, as the reference says" {
    run pipeline 64 -k wrong
    assert_success
    got=$output
    # the reference on the same first payloads
    "$BIN/pcap2pkt" -x 64 "$FIX/socks.pcap" | "$BIN/flowsplit" | pick conn,dir,len,payload |
        awk '$2 == "c2s" && $3 > 0 && !seen[$1]++ { print $1, $4 }' |
        while read -r c p; do echo "$c $($REF decode wrong "$p")"; done > "$T/ref"
    run grep -vc ' fail$' "$T/ref"
    assert_output 0
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f9-11 | sort -u" "$got"
    assert_output "$(printf -- '-\t-\t0')"
}

@test "2000 random requests and garbage: same destinations as the reference" {
    "$REF" vectors k3y 2000 7 "$T/want" > "$T/vec.tsv"
    run "$BIN/socks-dest" -k k3y "$T/vec.tsv"
    assert_success
    printf '%s\n' "$output" | pick conn,socks_ok,socks_atyp,socks_addr,socks_port |
        awk '{ print $1, ($2 == 1 ? $3 " " $4 " " $5 : "fail") }' > "$T/got"
    run diff "$T/want" "$T/got"
    assert_success
    # the vectors exercise all three types and failures
    for k in ipv4 ipv6 domain fail; do
        [ "$(grep -c " $k" "$T/want")" -gt 100 ] || fail "few $k vectors"
    done
}

@test "only the first client payload of a connection counts" {
    # conn 1: server speaks first (ignored), then the request, then more data
    req=$($REF request "$PW" ipv4 1.2.3.4 8080 hello)
    later=$($REF request "$PW" ipv4 9.9.9.9 53)
    {
        printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n'
        printf '1.000000\t4\t10.0.0.1\t192.168.1.2\t8388\t5000\t3\t%s\t1\ts2c\n' "$later"
        printf '2.000000\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t0\t-\t1\tc2s\n'
        printf '3.000000\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t%d\t%s\t1\tc2s\n' $(( ${#req} / 2 )) "$req"
        printf '4.000000\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t7\t%s\t1\tc2s\n' "$later"
    } > "$T/in.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/in.tsv"
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 1 "$(printf '1\t4\t192.168.1.2\t5000\t10.0.0.1\t8388\t3.000000\tipv4\t1.2.3.4\t8080\t1\t-')"
}

@test "payload not captured (-) gives not_captured; port 0 gives bad_port" {
    zero=$($REF request "$PW" ipv4 1.2.3.4 0)
    {
        printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n'
        printf '1.0\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t100\t-\t1\tc2s\n'
        printf '2.0\t4\t192.168.1.2\t10.0.0.1\t5001\t8388\t7\t%s\t2\tc2s\n' "$zero"
    } > "$T/in.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/in.tsv"
    assert_success
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,11,12" "$output"
    assert_output "$(printf '1\t0\tnot_captured\n2\t0\tbad_port')"
}

@test "MPTCP: joins say join, subflow 0 is decoded, mpconn and subflow are kept" {
    req=$($REF request "$PW" domain example.org 443)
    later=$($REF request "$PW" ipv4 9.9.9.9 53)
    {
        printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\tmpconn\tsubflow\n'
        printf '1.0\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t%d\t%s\t1\tc2s\t1\t0\n' $(( ${#req} / 2 )) "$req"
        printf '2.0\t4\t100.64.0.2\t10.0.0.1\t5001\t8388\t0\t-\t2\tc2s\t1\t1\n'
        printf '3.0\t4\t100.64.0.2\t10.0.0.1\t5001\t8388\t7\t%s\t2\tc2s\t1\t1\n' "$later"
        printf '4.0\t4\t192.168.1.2\t10.0.0.1\t5009\t80\t7\t%s\t3\tc2s\t-\t-\n' "$later"
    } > "$T/in.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/in.tsv"
    assert_success
    assert_line --index 0 "$(printf 'conn\tipv\tc_addr\tc_port\ts_addr\ts_port\tmpconn\tsubflow\treq_ts\tsocks_atyp\tsocks_addr\tsocks_port\tsocks_ok\tsocks_err')"
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,7,8,10-" "$output"
    assert_output "$(printf '1\t1\t0\tdomain\texample.org\t443\t1\t-\n2\t1\t1\t-\t-\t-\t0\tjoin\n3\t-\t-\tipv4\t9.9.9.9\t53\t1\t-')"
}

@test "idle connections without payload are reported after -i seconds and forgotten" {
    {
        printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n'
        printf '1.0\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\t0\t-\t3\tc2s\n'
        printf '100.0\t4\t192.168.1.2\t10.0.0.1\t5001\t8388\t0\t-\t2\tc2s\n'
        printf '200.0\t4\t192.168.1.2\t10.0.0.1\t5002\t8388\t0\t-\t1\tc2s\n'
    } > "$T/in.tsv"
    # with -i 10 each is swept before the next is read: conn 3, 2, 1;
    # at the end of input the pending ones come out in conn order
    run "$BIN/socks-dest" -i 10 -k "$PW" "$T/in.tsv"
    assert_success
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,12" "$output"
    assert_output "$(printf '3\tno_payload\n2\tno_payload\n1\tno_payload')"
    run "$BIN/socks-dest" -k "$PW" "$T/in.tsv"
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1" "$output"
    assert_output "$(printf '1\n2\n3')"
}

@test "password from the config file; -k wins over it" {
    printf 'socks_password = %s\n' "$PW" > "$T/conf"
    run pipeline 128 -C "$T/conf"
    assert_success
    assert_output --partial $'\tipv4\t93.184.216.34\t443\t1\t-'
    MPTCP_TOOLS_CONF=$T/conf run pipeline 128
    assert_output --partial $'\tdomain\twww.example.com\t443\t1\t-'
    run pipeline 128 -C "$T/conf" -k wrong
    assert_success
    refute_output --partial $'\t1\t-'
    # a quoted password with blanks and '#'
    printf 'socks_password = " a #b "\n' > "$T/conf2"
    run "$BIN/socks-dest" -T -C "$T/conf2"
    assert_output "$($REF table ' a #b ')"
}

@test "no password is a usage error naming -k and the config key" {
    run "$BIN/socks-dest" "$FIX/expected.tsv"
    assert_failure 2
    assert_output --partial 'no password: give -k or socks_password'
}

@test "missing columns name the filter that makes them" {
    "$BIN/pcap2pkt" "$FIX/socks.pcap" | "$BIN/flowsplit" > "$T/nopay.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/nopay.tsv"
    assert_failure 1
    assert_output --partial "no column 'payload' (made by pcap2pkt -x N)"
    "$BIN/pcap2pkt" -x 64 "$FIX/socks.pcap" > "$T/noconn.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/noconn.tsv"
    assert_failure 1
    assert_output --partial "no column 'conn' (made by flowsplit)"
}

@test "bad fields name file, line and column" {
    printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n1.0\t4\t192.168.1.2\t10.0.0.1\t1\t2\t3\t0g0102\t1\tc2s\n' > "$T/bad.tsv"
    run "$BIN/socks-dest" -k x "$T/bad.tsv"
    assert_failure 1
    assert_output --partial "bad.tsv:2: column 'payload': not hex"
    printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n1.0\t4\t192.168.1.2\t10.0.0.1\t1\t2\t3\t010\t1\tc2s\n' > "$T/odd.tsv"
    run "$BIN/socks-dest" -k x "$T/odd.tsv"
    assert_failure 1
    assert_output --partial "odd.tsv:2: column 'payload': odd number of hex digits"
    printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n1.0\t4\t192.168.1.2\t10.0.0.1\t1\t2\t3\t01\t1\tup\n' > "$T/dir.tsv"
    run "$BIN/socks-dest" -k x "$T/dir.tsv"
    assert_failure 1
    assert_output --partial "column 'dir': expected c2s or s2c"
    # addresses are parsed (the shared record reader): 'a' is none
    printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n1.0\t4\ta\t10.0.0.1\t1\t2\t3\t010203\t1\tc2s\n' > "$T/addr.tsv"
    run "$BIN/socks-dest" -k x "$T/addr.tsv"
    assert_failure 1
    assert_output --partial "addr.tsv:2: column 'src': not an IP address: 'a'"
}

@test "usage: -h, unknown option, extra arguments" {
    run "$BIN/socks-dest" -h
    assert_success
    assert_output --partial 'usage: socks-dest'
    run "$BIN/socks-dest" -k x a b
    assert_failure 2
    run "$BIN/socks-dest" -k x -i abc
    assert_failure 2
}

@test "empty input is an error; header only gives a header" {
    run "$BIN/socks-dest" -k x /dev/null
    assert_failure 1
    assert_output --partial 'empty input'
    printf 'ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir\n' > "$T/h.tsv"
    run "$BIN/socks-dest" -k x "$T/h.tsv"
    assert_success
    assert_equal "${#lines[@]}" 1
}

@test "a closed pipe is not an error" {
    "$REF" vectors k 3000 1 /dev/null > "$T/vec.tsv"
    run bash -c "'$BIN/socks-dest' -k k '$T/vec.tsv' | head -1"
    assert_success
}

# ------------------------------------------------------------ captures read directly

# expected.tsv's rows whose c_port is one of $@, space-separated, sorted
want_ports() {
    local re
    re=$(IFS='|'; echo "$*")
    tail -n +2 "$FIX/expected.tsv" | awk -F'\t' -v re="^($re)\$" '$2 ~ re' | tr '\t' ' ' | sort
}

# frames of capture $1 that tshark's display filter $2 keeps
tshark_frames() {
    tshark -r "$1" -Y "$2" -T fields -e frame.number 2> /dev/null
}

@test "a capture read directly: the destinations chosen when crafting; the bytes of pcap2pkt -x 259 | flowsplit | mptcp-join" {
    local f=$FIX/socks.pcap
    run --separate-stderr "$BIN/socks-dest" -k "$PW" "$f"
    assert_success
    [ -z "$stderr" ]
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    assert_equal "$got" "$(tail -n +2 "$FIX/expected.tsv" | tr '\t' ' ' | sort)"
    # no MPTCP in it: mptcp-join's columns, all '-'
    assert_equal "$(printf '%s\n' "$output" | pick mpconn,subflow | sort -u)" "- -"
    # the request times are tshark's first client payload of each port
    want=$(tshark -r "$f" -Y 'tcp.dstport == 8388 && tcp.len > 0' -T fields -e tcp.srcport -e frame.time_epoch 2> /dev/null |
        awk '!seen[$1]++ { print $1, substr($2, 1, length($2) - 3) }' | sort)
    got=$(printf '%s\n' "$output" | pick c_port,req_ts | grep -v ' -$' | sort)
    assert_equal "$got" "$want"
    # the pipe with the longest header's bytes gives the same bytes
    "$BIN/pcap2pkt" -x 259 "$f" | "$BIN/flowsplit" | "$BIN/mptcp-join" | "$BIN/socks-dest" -k "$PW" > "$T/pipe"
    cmp "$T/pipe" <(printf '%s\n' "$output")
    # -x 64 in the pipe cuts connection 40004's 68-byte header; read
    # directly it is whole
    assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$4 == 40004 { print $13, $14 }')" "1 -"
}

@test "MPTCP capture read directly: the join subflow says join, subflow 0 has the request (mptcp-join's tags)" {
    local f=$FIX/socks-mptcp.pcap
    # tshark: an MP_CAPABLE SYN from port 40010 and an MP_JOIN SYN from 40011
    assert_equal "$(tshark_frames "$f" 'tcp.options.mptcp.subtype == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.srcport == 40010' | wc -l)" 1
    assert_equal "$(tshark_frames "$f" 'tcp.options.mptcp.subtype == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.srcport == 40011' | wc -l)" 1
    run --separate-stderr "$BIN/socks-dest" -k "$PW" "$f"
    assert_success
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,subflow,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    assert_equal "$got" "$(tail -n +2 "$FIX/expected-mptcp.tsv" | cut -f1-8 | tr '\t' ' ' | sort)"
    # both subflows of one MPTCP connection
    assert_equal "$(printf '%s\n' "$output" | pick mpconn | sort -u | wc -l)" 1
    # the same through mptcp-join; without it the join's later data is
    # taken for a request (the plausible 1.2.3.4:80 chosen when crafting)
    cmp <("$BIN/pcap2pkt" -x 300 "$f" | "$BIN/flowsplit" | "$BIN/mptcp-join" | "$BIN/socks-dest" -k "$PW") <(printf '%s\n' "$output")
    got=$("$BIN/pcap2pkt" -x 300 "$f" | "$BIN/flowsplit" | "$BIN/socks-dest" -k "$PW" |
        pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    assert_equal "$got" "$(tail -n +2 "$FIX/expected-mptcp.tsv" | cut -f1,2,9- | tr '\t' ' ' | sort)"
}

@test "captures on standard input (pipe, redirect, gzip, tcpdump -w -): the output of the file argument" {
    local f=$FIX/socks.pcap
    "$BIN/socks-dest" -k "$PW" "$f" > "$T/want"
    [ "$(wc -l < "$T/want")" -eq 8 ] # a header and the 7 connections of expected.tsv
    cat "$f" | "$BIN/socks-dest" -k "$PW" | cmp - "$T/want"
    "$BIN/socks-dest" -k "$PW" < "$f" | cmp - "$T/want"
    gzip -c "$f" | "$BIN/socks-dest" -k "$PW" - | cmp - "$T/want"
    run bash -c "set -o pipefail; tcpdump -r '$f' -w - 2> /dev/null | '$BIN/socks-dest' -k '$PW'"
    assert_success
    assert_equal "$output" "$(cat "$T/want")"
    # pcapng (editcap) on standard input
    editcap -F pcapng "$f" "$T/s.pcapng"
    cat "$T/s.pcapng" | "$BIN/socks-dest" -k "$PW" | cmp - "$T/want"
    # records on standard input still are records
    run bash -c "set -o pipefail; '$BIN/pcap2pkt' -x 128 '$f' | '$BIN/flowsplit' | '$BIN/socks-dest' -k '$PW' | cut -f3,4,9-"
    assert_success
    assert_equal "$output" "$(cut -f3,4,11- "$T/want")"
}

@test "-b: the connections of a BPF filter, as in the capture tcpdump filters" {
    local f=$FIX/socks.pcap bpf='tcp port 40003 or tcp port 40007'
    # tshark: the filter keeps the 16 frames of the two connections
    assert_equal "$(tshark_frames "$f" 'tcp.port == 40003 || tcp.port == 40007' | wc -l)" 16
    run --separate-stderr "$BIN/socks-dest" -k "$PW" -b "$bpf" "$f"
    assert_success
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    assert_equal "$got" "$(want_ports 40003 40007)"
    tcpdump -r "$f" -w "$T/bpf.pcap" "$bpf" 2> /dev/null
    cmp <(printf '%s\n' "$output") <("$BIN/socks-dest" -k "$PW" "$T/bpf.pcap")
    # the filtered-out frames are counted as pcap2pkt counts them
    "$BIN/pcap2pkt" -v -b "$bpf" "$f" 2> "$T/err" > /dev/null
    grep -q "filtered 38[;,]" "$T/err"
    # a bad filter is a usage error; records cannot be selected
    run --separate-stderr "$BIN/socks-dest" -k "$PW" -b 'port eighty' "$f"
    assert_failure 2
    [[ $stderr == *"-b: "* ]]
    "$BIN/pcap2pkt" -x 64 "$f" | "$BIN/flowsplit" > "$T/recs"
    run --separate-stderr "$BIN/socks-dest" -k "$PW" -b tcp "$T/recs"
    assert_failure 2
    [[ $stderr == *"-b, -A and -B select frames of captures; the input is records"* ]]
}

@test "-A, -B: a window that starts inside a connection takes its first client payload in the window" {
    local f=$FIX/socks.pcap t5 t25
    # tshark's times: frame 5 is connection 40001's second client payload
    # (after its request, frame 4), frame 25 the SYN of 40004
    t5=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 5p)
    t25=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 25p)
    assert_equal "$(tshark_frames "$f" "frame.time_epoch >= $t5 && frame.time_epoch < $t25 && tcp.srcport == 40001 && tcp.len > 0")" 5
    run --separate-stderr "$BIN/socks-dest" -k "$PW" -A "$t5" -B "$t25" "$f"
    assert_success
    # 40001: the later packet, which make-socks.py encrypts from
    # 01 01020304 0050 (an IPv4 header: 1.2.3.4 port 80); 40002 and 40003
    # whole; 40004 on not in the window
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    want=$( (echo "192.168.1.10 40001 ipv4 1.2.3.4 80 1 -"; want_ports 40002 40003) | sort)
    assert_equal "$got" "$want"
    assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$4 == 40001 { print $9 }')" "${t5%???}"
    # the same as the capture editcap cuts to the window
    editcap -A "$t5" -B "$t25" "$f" "$T/win.pcap"
    cmp <(printf '%s\n' "$output") <("$BIN/socks-dest" -k "$PW" "$T/win.pcap")
    # relative to the first frame: before +0.03 s only frames 1-3 (tshark),
    # the handshake of 40001, which sent no payload
    assert_equal "$(tshark_frames "$f" 'frame.time_relative < 0.03' | tr '\n' ' ')" "1 2 3 "
    run "$BIN/socks-dest" -k "$PW" -B +0.03 "$f"
    assert_success
    assert_equal "$(printf '%s\n' "$output" | pick c_port,socks_ok,socks_err)" "40001 0 no_payload"
    run --separate-stderr "$BIN/socks-dest" -k "$PW" -A yesterday "$f"
    assert_failure 2
    [[ $stderr == *"-A: expected seconds since the epoch or +seconds"* ]]
}

@test "a cut capture: the connections of its complete frames, the cut named with frame and byte offset, exit 3" {
    local f=$FIX/socks.pcap at
    # frame 20 is 40003's request; cut 30 bytes into its record
    at=$(/usr/bin/python3 "$BATS_TEST_DIRNAME/ref/capture-offsets" "$f" | sed -n 20p)
    head -c $((at + 30)) "$f" > "$T/cut.pcap"
    [ "$(capinfos -M -c -T "$T/cut.pcap" 2> /dev/null | tail -1 | cut -f2)" = 19 ]
    run --separate-stderr "$BIN/socks-dest" -k "$PW" "$T/cut.pcap"
    assert_failure 3
    [[ $stderr == *"cut.pcap: frame 20, at byte offset $at: truncated dump file"* ]]
    # 40001 and 40002 as crafted; 40003 had no payload before the cut
    got=$(printf '%s\n' "$output" | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort)
    want=$( (want_ports 40001 40002; echo "100.64.0.7 40003 - - - 0 no_payload") | sort)
    assert_equal "$got" "$want"
    # the table of the complete frames (tshark -w writes them)
    tshark -r "$T/cut.pcap" -F pcap -w "$T/whole.pcap" 2> /dev/null || true
    cmp <(printf '%s\n' "$output") <("$BIN/socks-dest" -k "$PW" "$T/whole.pcap")
    # on standard input: the same, the message names '-'
    run --separate-stderr bash -c "cat '$T/cut.pcap' | '$BIN/socks-dest' -k '$PW'"
    assert_failure 3
    cmp <(printf '%s\n' "$output") <("$BIN/socks-dest" -k "$PW" "$T/whole.pcap")
    [[ $stderr == *"socks-dest: -: frame 20, at byte offset $at: truncated dump file"* ]]
    # a file that cannot be opened: 1, the other files still read
    run --separate-stderr "$BIN/socks-dest" -k "$PW" "$f" "$T/nonexistent"
    assert_failure 1
    assert_equal "$(printf '%s\n' "$output" | tail -n +2 | wc -l)" 7
}

@test "the end rules: a closed connection without payload ends after the grace period (-g)" {
    req=$($REF request "$PW" ipv4 1.2.3.4 8080)
    # conn 1 closes at 2.0 (both FINs) without payload; conn 2 asks at 20.0
    {
        printf 'ts\tipv\tsrc\tdst\tsport\tdport\tflags\tlen\tpayload\tconn\tdir\n'
        printf '1.0\t4\t192.168.1.2\t10.0.0.1\t5000\t8388\tFA\t0\t-\t1\tc2s\n'
        printf '2.0\t4\t10.0.0.1\t192.168.1.2\t8388\t5000\tFA\t0\t-\t1\ts2c\n'
        printf '20.0\t4\t192.168.1.2\t10.0.0.1\t5001\t8388\tPA\t7\t%s\t2\tc2s\n' "$req"
    } > "$T/in.tsv"
    # default grace 10 s: conn 1 ends before 20.0 is read (18 s after its close)
    run "$BIN/socks-dest" -k "$PW" "$T/in.tsv"
    assert_success
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,12" "$output"
    assert_output "$(printf '1\tno_payload\n2\t-')"
    # a longer grace keeps it to the end of input
    run "$BIN/socks-dest" -g 30 -k "$PW" "$T/in.tsv"
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,12" "$output"
    assert_output "$(printf '2\t-\n1\tno_payload')"
    # a RST closes too
    sed 's/\tFA\t0\t-\t1\ts2c/\tR\t0\t-\t1\ts2c/' "$T/in.tsv" > "$T/rst.tsv"
    grep -q $'\tR\t' "$T/rst.tsv"
    run "$BIN/socks-dest" -k "$PW" "$T/rst.tsv"
    run bash -c "printf '%s\n' \"\$0\" | tail -n +2 | cut -f1,12" "$output"
    assert_output "$(printf '1\tno_payload\n2\t-')"
    run --separate-stderr "$BIN/socks-dest" -k x -g nan "$T/in.tsv"
    assert_failure 2
}

@test "--schema, --version, --help" {
    run --separate-stderr "$BIN/socks-dest" --schema
    assert_success
    [ -z "$stderr" ]
    # the columns of a capture read directly, as its header; no password needed
    assert_equal "$(printf '%s\n' "$output" | tail -n +2 | cut -f1 | paste -sd '\t')" \
        "$("$BIN/socks-dest" -k "$PW" "$FIX/socks.pcap" | head -1)"
    run --separate-stderr "$BIN/socks-dest" --version
    assert_success
    assert_output "socks-dest $(cat "$BATS_TEST_DIRNAME/../VERSION")"
    run --separate-stderr "$BIN/socks-dest" --help
    assert_success
    assert_output --partial 'usage: socks-dest'
    [ -z "$stderr" ]
}

@test "the idle rule: two sessions on one 4-tuple 400 s apart are two connections by default, one with -i 600" {
    local f=$FIX/socks-idle.pcap
    # Hand-derived from make-socks-idle.py: 192.168.1.20:40100 -> 10.0.0.1:8388,
    # session 1 asks for first.example.net:443 (frame 4) and is never closed;
    # 400 s later session 2, a SYN with the same ISN (so only the idle rule
    # can split it), asks for 198.51.100.7:8080 (frame 9) and closes.
    # tshark confirms the frames: one tuple, the 400 s gap before frame 6,
    # both SYNs with ISN 7000000, and the request payloads, which the
    # reference decrypts to those destinations (tshark's socks dissector
    # cannot: the table cipher on port 8388).
    assert_equal "$(tshark -r "$f" -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2> /dev/null |
        awk '$2 == 8388 { print $3, $4, $1, $2; next } { print $1, $2, $3, $4 }' | sort -u)" "192.168.1.20 40100 10.0.0.1 8388"
    assert_equal "$(tshark_frames "$f" 'frame.time_delta > 300')" 6
    assert_equal "$(tshark -r "$f" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e frame.number -e tcp.seq_raw 2> /dev/null | tr '\t\n' '  ')" "1 7000000 6 7000000 "
    assert_equal "$(tshark -r "$f" -Y 'frame.number == 5 || frame.number == 6' -T fields -e frame.time_epoch 2> /dev/null |
        awk 'NR == 1 { a = $1 } NR == 2 { printf "%.6f\n", $1 - a }')" 400.000000
    for fr in 4:'domain first.example.net 443' 9:'ipv4 198.51.100.7 8080'; do
        p=$(tshark -r "$f" -Y "frame.number == ${fr%%:*}" -T fields -e tcp.payload 2> /dev/null)
        assert_equal "$("$REF" decode "$PW" "$p")" "${fr#*:}"
    done
    # default idle timeout (300 s, FLOW_IDLE_DEFAULT): session 1 ends idle,
    # session 2 is a new connection with its own request
    run --separate-stderr "$BIN/socks-dest" -k "$PW" "$f"
    assert_success
    got=$(printf '%s\n' "$output" | pick conn,c_addr,c_port,s_addr,s_port,req_ts,socks_atyp,socks_addr,socks_port,socks_ok,socks_err)
    assert_equal "$got" "$(printf '%s\n' \
        '1 192.168.1.20 40100 10.0.0.1 8388 1700000000.040000 domain first.example.net 443 1 -' \
        '2 192.168.1.20 40100 10.0.0.1 8388 1700000400.080000 ipv4 198.51.100.7 8080 1 -')"
    # the same through the pipe, whose flowsplit has the same default
    cmp <("$BIN/pcap2pkt" -x 259 "$f" | "$BIN/flowsplit" | "$BIN/mptcp-join" | "$BIN/socks-dest" -k "$PW") \
        <(printf '%s\n' "$output")
    # idle longer than the timeout, not as long: -i 400 (the gap) keeps one
    # connection, -i 399.99 splits it
    for i in 600 400; do
        run "$BIN/socks-dest" -i "$i" -k "$PW" "$f"
        assert_success
        assert_equal "$(printf '%s\n' "$output" | pick conn,req_ts,socks_addr,socks_port,socks_err)" \
            "1 1700000000.040000 first.example.net 443 -"
        cmp <("$BIN/pcap2pkt" -x 259 "$f" | "$BIN/flowsplit" -i "$i" | "$BIN/socks-dest" -i "$i" -k "$PW") \
            <(printf '%s\n' "$output" | cut -f1-6,9-)
    done
    run "$BIN/socks-dest" -i 399.99 -k "$PW" "$f"
    assert_equal "$(printf '%s\n' "$output" | pick conn,socks_addr)" "$(printf '1 first.example.net\n2 198.51.100.7')"
}

# analyze and summary over the crafted captures, named as the original
# scripts named theirs, with a configuration naming the password (or not)
analyse_socks() {
    mkdir -p "$T/in"
    cp "$FIX/socks.pcap" "$T/in/socks_app_lab_20250101-000000_any.pcap"
    cp "$FIX/socks-mptcp.pcap" "$T/in/mptcp_app_lab_20250101-000100_any.pcap"
    printf 'proxy_ip = 10.0.0.1\n' > "$T/nopw.conf"
    printf 'proxy_ip = 10.0.0.1\nsocks_password = "%s"\n' "$PW" > "$T/pw.conf"
    "$TOP/pipelines/analyze" -q -C "$T/$1.conf" -o "$T/out" "$T/in"
}

@test "analyze with a SOCKS password: socks.tsv per capture, the destinations chosen when crafting; none without" {
    analyse_socks nopw
    [ ! -e "$T/out/socks_app_lab_20250101-000000_any/socks.tsv" ]
    [ -s "$T/out/socks_app_lab_20250101-000000_any/tcp_conns.tsv" ]
    rm -rf "$T/out"
    analyse_socks pw
    local d=$T/out/socks_app_lab_20250101-000000_any m=$T/out/mptcp_app_lab_20250101-000100_any
    # the destinations of expected.tsv (make-socks.py's choices), by client port
    diff <(tail -n +2 "$FIX/expected.tsv" | sort) \
         <(pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err < "$d/socks.tsv" | tr ' ' '\t' | sort)
    diff <(awk -F'\t' 'NR > 1 { print $1, $2, $4, $5, $6, $7, $8 }' "$FIX/expected-mptcp.tsv" | sort) \
         <(pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err < "$m/socks.tsv" | sort)
    # every row names its capture; its conn is tcp_conns.tsv's (same client port)
    [ "$(pick capture < "$d/socks.tsv" | sort -u)" = socks_app_lab_20250101-000000_any ]
    join <(pick conn,c_port < "$d/socks.tsv" | sort) <(pick conn,c_port < "$d/tcp_conns.tsv" | sort) |
        awk '$2 != $3 { bad = 1 } { n++ } END { exit bad || n != 7 }'
    # schema.tsv: the header's columns, socks-dest's definitions
    assert_equal "$(awk -F'\t' '$1 == "socks.tsv" { print $2 }' "$d/schema.tsv" | paste -sd '\t')" \
        "$(head -1 "$d/socks.tsv")"
    assert_equal "$(awk -F'\t' '$1 == "socks.tsv" { print $3 }' "$d/schema.tsv" | paste -sd ' ')" \
        "$("$BIN/socks-dest" --capture x --schema | tail -n +2 | cut -f2 | paste -sd ' ')"
}

@test "summary by SOCKS destination: connections from the crafted destinations, packets as tshark counts them" {
    analyse_socks pw
    "$TOP/pipelines/summary" -o "$T/sum" "$T/out" 2> /dev/null
    # expected: every decoded destination of the two captures once (the
    # crafting's choices), packets of its connection counted by tshark
    local f port n want
    : > "$T/want"
    for f in socks socks-mptcp; do
        case $f in socks) e=$FIX/expected.tsv ;; *) e=$FIX/expected-mptcp.tsv ;; esac
        awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["socks_ok"] == 1 { print $c["c_port"], $c["socks_atyp"], $c["socks_addr"], $c["socks_port"] }' "$e" |
        while read -r port a addr p; do
            n=$(tshark -n -r "$FIX/$f.pcap" -Y "tcp.port == $port" 2> /dev/null | wc -l)
            echo "$a $addr $p 1 $n"
        done >> "$T/want"
    done
    [ "$(wc -l < "$T/want")" -eq 5 ]
    pick socks_atyp,socks_addr,socks_port,count,sum_pkts < "$T/sum/socks_dest.tsv" | awk '$1 != "-"' | sort > "$T/got"
    diff <(sort "$T/want") "$T/got"
    # by requested port: 443 three times (93.184.216.34, www.example.com, example.org)
    assert_equal "$(pick socks_port,count < "$T/sum/socks_port.tsv" | awk '$1 == 443 { print $2 }')" 3
    # by type: the undecoded ones too (short, bad_atyp, no_payload, the join)
    assert_equal "$(pick socks_atyp,count,decoded < "$T/sum/socks_type.tsv" | awk '$1 == "-" { print $2, $3 }')" "4 0"
    [ -s "$T/sum/plots/socks_pkts_cdf.png" ]
    grep -q '^socks_dest	' "$T/sum/index.tsv"
}
