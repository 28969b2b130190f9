#!/usr/bin/env bats
# socks-dest: the Shadowsocks table cipher and request header. Expected
# values come from test/ref/socks-ref.py (an independent Python
# implementation), from the destinations chosen when crafting
# test/fixtures/socks/socks.pcap, and from the shadowsocks project's
# published table for the password "foobar!".

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

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

# Named columns of a TSV stream, space-separated, header dropped.
pick() {
    awk -F'\t' -v want="$1" '
    NR == 1 { n = split(want, w, ","); for (i = 1; i <= NF; i++) c[$i] = i
              for (j = 1; j <= n; j++) if (!(w[j] in c)) { print "no column " w[j] > "/dev/stderr"; exit 1 }
              next }
    { s = $(c[w[1]]); for (j = 2; j <= n; j++) s = s " " $(c[w[j]]); print s }'
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
