#!/usr/bin/env bats
# ifmatch: every option, the rule order, tables, IPv6 CIDR. Expected
# interfaces are derived by hand from the Wi-Fi rule in
# ../shared/REFERENCES.md (the original scripts' indicates_wifi_or_cell) and the rule
# order in man/ifmatch.1; each test says which rule decides.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

setup() {
    BIN=${MPTCP_TOOLS_BIN:-$BATS_TEST_DIRNAME/../bin}
    TAB=$BATS_TEST_DIRNAME/fixtures/tables
    T=$BATS_TEST_TMPDIR
    # no per-user config leaks in
    export HOME=$T XDG_CONFIG_HOME=
    unset MPTCP_TOOLS_CONF
    [ -x "$BIN/ifmatch" ] || fail "ifmatch not built"
}

# conns: tcp-metrics-like records, one address pair per line
conns() {
    printf 'conn\tc_addr\ts_addr\n'
    local i=1 p
    for p in "$@"; do
        printf '%d\t%s\t%s\n' "$i" "${p%% *}" "${p##* }"
        i=$((i + 1))
    done
}

# the iface column only
ifaces() {
    "$BIN/ifmatch" "$@" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "iface") c = i; next } { print $c }' | paste -sd' '
}

@test "the original scripts' default: 192.168. on either side is wifi, else cellular" {
    conns '192.168.1.5 1.2.3.4' '1.2.3.4 192.168.0.9' '10.0.0.1 1.2.3.4' > $T/c.tsv
    run "$BIN/ifmatch" $T/c.tsv
    assert_success
    assert_output "$(printf 'conn\tc_addr\ts_addr\tiface\tiface_rule\n1\t192.168.1.5\t1.2.3.4\twifi\tdefault\n2\t1.2.3.4\t192.168.0.9\twifi\tdefault\n3\t10.0.0.1\t1.2.3.4\tcellular\tdefault')"
}

@test "missing addresses give ?" {
    conns '- -' > $T/c.tsv
    run ifaces $T/c.tsv
    assert_output '?'
}

@test "packet records: src/dst are the default address columns" {
    printf 'frame\tsrc\tdst\tlen\n1\t192.168.1.2\t5.6.7.8\t0\n2\t5.6.7.8\t100.64.0.1\t10\n' > $T/p.tsv
    run ifaces $T/p.tsv
    assert_output 'wifi cellular'
}

@test "c_addr/s_addr win over src/dst when both exist" {
    printf 'src\tdst\tc_addr\ts_addr\n192.168.1.1\t1.1.1.1\t8.8.8.8\t1.1.1.1\n' > $T/b.tsv
    run ifaces $T/b.tsv
    assert_output 'cellular'
}

@test "-a names the address columns, one or two" {
    printf 'a\tb\tx\n192.168.3.3\t1.1.1.1\t1\n' > $T/a.tsv
    run ifaces -a b,x $T/a.tsv
    assert_output 'cellular'
    run ifaces -a a $T/a.tsv
    assert_output 'wifi'
    run "$BIN/ifmatch" -a a,nosuch $T/a.tsv
    assert_failure 1
    assert_output --partial "no column 'nosuch'"
    run "$BIN/ifmatch" -a a,b,x $T/a.tsv
    assert_failure 2
}

@test "input without address columns: error naming the expected ones" {
    printf 'x\ty\n1\t2\n' > $T/x.tsv
    run "$BIN/ifmatch" < $T/x.tsv
    assert_failure 1
    assert_output --partial "c_addr/s_addr"
    assert_output --partial "src/dst"
}

@test "-o renames the column; an existing one is an error" {
    conns '192.168.1.1 1.1.1.1' > $T/c.tsv
    run "$BIN/ifmatch" -o phone_if $T/c.tsv
    assert_line --index 0 "$(printf 'conn\tc_addr\ts_addr\tphone_if\tphone_if_rule')"
    "$BIN/ifmatch" $T/c.tsv > $T/once.tsv
    run "$BIN/ifmatch" $T/once.tsv
    assert_failure 1
    assert_output --partial "already has a 'iface' column"
}

@test "stdin, pass-through of every column, CRLF input" {
    printf 'c_addr\tz\ts_addr\r\n192.168.1.1\tkeep me\t1.1.1.1\r\n' > $T/crlf.tsv
    run "$BIN/ifmatch" < $T/crlf.tsv
    assert_success
    assert_output "$(printf 'c_addr\tz\ts_addr\tiface\tiface_rule\n192.168.1.1\tkeep me\t1.1.1.1\twifi\tdefault')"
}

@test "-w: IPv4 CIDR, text prefix and repeated/comma lists" {
    conns '10.8.3.4 1.1.1.1' '172.20.0.1 1.1.1.1' '100.64.0.1 1.1.1.1' '10.9.0.1 1.1.1.1' > $T/c.tsv
    # 10.8/16 CIDR -> wifi; 172.2 text prefix -> wifi; others: default cellular
    run ifaces -w 10.8.0.0/16 -w 172.2 $T/c.tsv
    assert_output 'wifi wifi cellular cellular'
    run ifaces -w 10.8.0.0/16,172.2 $T/c.tsv
    assert_output 'wifi wifi cellular cellular'
}

@test "-c: cellular prefixes; Wi-Fi prefixes come first; the ? case" {
    conns '10.8.3.4 1.1.1.1' '100.64.0.1 1.1.1.1' '5.5.5.5 1.1.1.1' '192.168.1.1 1.1.1.1' > $T/c.tsv
    # 10.8.3.4 is in both lists: -w is checked first -> wifi
    # 100.64.0.1 in -c -> cellular
    # 5.5.5.5 in no list while a cellular list exists -> ? (original scripts: IP_CELL)
    # 192.168.1.1: the original scripts' default still makes it wifi
    run ifaces -w 10.8.0.0/16 -c 10.0.0.0/8,100.64.0.0/10 $T/c.tsv
    assert_output 'wifi cellular ? wifi'
}

@test "-N drops the built-in 192.168. rule" {
    conns '192.168.1.1 1.1.1.1' > $T/c.tsv
    run ifaces -N $T/c.tsv
    assert_output 'cellular'
    run ifaces -N -c 100.64.0.0/10 $T/c.tsv
    assert_output '?'
}

@test "-p: the non-proxy side is the phone" {
    # proxy on a 192.168 LAN: without -p the original scripts' rule sees 192.168 -> wifi;
    # with -p only the phone 100.64.0.1 counts -> cellular
    conns '100.64.0.1 192.168.5.5' '192.168.5.5 100.64.0.1' > $T/c.tsv
    run ifaces $T/c.tsv
    assert_output 'wifi wifi'
    run ifaces -p 192.168.5.5 $T/c.tsv
    assert_output 'cellular cellular'
    # proxy given as a prefix; neither side the proxy: both sides count
    conns '100.64.0.1 192.168.5.5' '100.64.0.1 192.168.9.9' > $T/d.tsv
    run ifaces -p 192.168.5.0/24 $T/d.tsv
    assert_output 'cellular wifi'
}

@test "IPv6: CIDR prefixes, non-byte-aligned, text forms of one address" {
    conns '2001:db8:1:ffff::2 2001:db8:ff::1' '2001:db8:2::1 2001:db8:ff::1' \
          '2001:db8:1:0:0:0:0:7 2001:db8:ff::1' '2001:db8:3:1fff::1 2001:db8:ff::1' \
          '2001:db8:3:2000::1 2001:db8:ff::1' > $T/c.tsv
    # 2001:db8:1::/48 holds rows 1 and 3 (row 3 written uncompressed) -> wifi;
    # 2001:db8:3::/52 holds 4th group 0x0000-0x0fff only, so rows 4 (0x1fff)
    # and 5 (0x2000) miss it; 2001:db8::/36 holds 3rd groups 0x0000-0x0fff,
    # so rows 2, 4, 5 are cellular. Then 2001:db8:3:1000::/52 (4th group
    # 0x1000-0x1fff) holds only row 4; no cellular list -> the rest cellular.
    run ifaces -w 2001:db8:1::/48,2001:db8:3::/52 -c 2001:db8::/36 -p 2001:db8:ff::1 $T/c.tsv
    assert_output 'wifi cellular wifi cellular cellular'
    run ifaces -w 2001:db8:3:1000::/52 -p 2001:db8:ff::1 $T/c.tsv
    assert_output 'cellular cellular cellular wifi cellular'
}

@test "-t: longest prefix match, IPv4 and IPv6, table before -w" {
    conns '10.1.2.3 1.1.1.1' '10.1.9.9 1.1.1.1' '10.9.9.9 1.1.1.1' '11.1.1.1 1.1.1.1' \
          '2001:db8:1::5 1.1.1.1' '2001:db8:2::5 1.1.1.1' '192.168.1.1 1.1.1.1' > $T/c.tsv
    # 10.1.2.3 exact -> cellular; 10.1.9.9 /16 -> wifi; 10.9.9.9 /8 -> cellular
    # 11.1.1.1 not in a table that lists cellular -> ?; v6 /48 wifi, /32 cellular
    # 192.168.1.1 not in the table: the original scripts' default -> wifi
    run ifaces -p 1.1.1.1 -t $TAB/phones.tsv $T/c.tsv
    assert_output 'cellular wifi cellular ? wifi cellular wifi'
    # the table comes before -w 10.1.2.0/24
    run ifaces -p 1.1.1.1 -t $TAB/phones.tsv -w 10.1.2.0/24 $T/c.tsv
    assert_output 'cellular wifi cellular ? wifi cellular wifi'
}

@test "-t: quoted CSV table with header, comments and extra column" {
    conns '10.1.2.3 1.1.1.1' '10.1.9.9 1.1.1.1' '2001:db8:7::1 1.1.1.1' '10.9.9.9 1.1.1.1' > $T/c.tsv
    # 10.9.9.9: not in this table (no 10/8 line), table lists cellular -> ?
    run ifaces -p 1.1.1.1 -t $TAB/phones-quoted.csv $T/c.tsv
    assert_output 'cellular wifi cellular ?'
}

@test "-t: bad tables name file and line" {
    conns '10.1.2.3 1.1.1.1' > $T/c.tsv
    run "$BIN/ifmatch" -t $TAB/bad-prefix.tsv $T/c.tsv
    assert_failure 1
    assert_output --partial "bad-prefix.tsv:2: not an address or CIDR prefix: '10.1.0.0/33'"
    run "$BIN/ifmatch" -t $TAB/bad-iface.tsv $T/c.tsv
    assert_failure 1
    assert_output --partial "bad-iface.tsv:2: interface must be wifi, cellular or ?, not 'lte'"
    run "$BIN/ifmatch" -t $TAB/conflict.tsv $T/c.tsv
    assert_failure 1
    assert_output --partial "conflict.tsv:5: 10.0.0.0/8 is wifi here but cellular on line 2"
    run "$BIN/ifmatch" -t $TAB/one-field.csv $T/c.tsv
    assert_failure 1
    assert_output --partial "one-field.csv:2: expected address and interface, got 1 field"
    run "$BIN/ifmatch" -t $TAB/unterminated.csv $T/c.tsv
    assert_failure 1
    assert_output --partial "unterminated.csv:2:"
    run "$BIN/ifmatch" -t $T/nosuch.tsv $T/c.tsv
    assert_failure 1
    assert_output --partial "nosuch.tsv"
}

@test "bad prefixes on the command line are usage errors" {
    conns '10.1.2.3 1.1.1.1' > $T/c.tsv
    run "$BIN/ifmatch" -w 10.0.0.0/99 $T/c.tsv
    assert_failure 2
    assert_output --partial "wifi_prefix: not an address, CIDR prefix or address prefix: '10.0.0.0/99'"
    run "$BIN/ifmatch" -c 'wlan' $T/c.tsv
    assert_failure 2
    run "$BIN/ifmatch" -w '10.,' $T/c.tsv
    assert_failure 2
    assert_output --partial "empty item"
}

@test "-h: usage, exit 0; unknown options and extra arguments: usage, exit 2" {
    run "$BIN/ifmatch" -h
    assert_success
    assert_output --partial "usage: ifmatch"
    run "$BIN/ifmatch" -Z
    assert_failure 2
    run "$BIN/ifmatch" a b
    assert_failure 2
}

@test "empty input is an error; header-only input gives the header" {
    run "$BIN/ifmatch" /dev/null
    assert_failure 1
    assert_output --partial "empty input"
    printf 'c_addr\ts_addr\n' > $T/h.tsv
    run "$BIN/ifmatch" $T/h.tsv
    assert_success
    assert_output "$(printf 'c_addr\ts_addr\tiface\tiface_rule')"
}

@test "a closed pipe is no error" {
    for i in $(seq 1 50000); do echo "192.168.1.1	1.1.1.1"; done | sed '1i c_addr\ts_addr' > $T/big.tsv
    run bash -c "'$BIN/ifmatch' $T/big.tsv | head -1; echo \${PIPESTATUS[0]}"
    assert_line --index 1 0
}

# records with the capture's interface evidence (ifname, ifindex)
ifrecs() {
    printf 'c_addr\ts_addr\tifname\tifindex\n'
    local r
    for r in "$@"; do
        printf '%s\n' "$r" | tr ' ' '\t'
    done
}

# the iface and iface_rule columns, "iface/rule" per record
decided() {
    "$BIN/ifmatch" "$@" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { print $c["iface"] "/" $c["iface_rule"] }' | paste -sd' '
}

@test "interface evidence: names by the built-in patterns, indexes by the map, before any prefix" {
    # man/ifmatch.1's order: table, ifname, ifindex, file name, prefixes,
    # default. wlan0 and rmnet_data0, ccmni1, wwan0 by the built-in globs;
    # index 2 and 3 only through -i; eth0 and index 5 match nothing
    ifrecs '10.0.0.1 1.2.3.4 wlan0 -' '192.168.1.2 1.2.3.4 rmnet_data0 -' \
        '10.0.0.1 1.2.3.4 ccmni1 -' '10.0.0.1 1.2.3.4 wwan0 -' \
        '10.0.0.1 1.2.3.4 - 2' '192.168.1.2 1.2.3.4 - 3' '10.0.0.1 1.2.3.4 eth0 5' > $T/r.tsv
    run decided -i 2=wifi,3=cellular $T/r.tsv
    assert_output 'wifi/ifname cellular/ifname cellular/ifname cellular/ifname wifi/ifindex cellular/ifindex cellular/default'
    # without the map, indexes say nothing; a Wi-Fi prefix decides then
    run decided -w 10.0.0.0/8 $T/r.tsv
    assert_output 'wifi/ifname cellular/ifname cellular/ifname cellular/ifname wifi/wifi_prefix wifi/default wifi/wifi_prefix'
    # a user name glob comes before the built-in ones; the table before all
    run decided -i 'wlan*=cellular' $T/r.tsv
    assert_output 'cellular/ifname cellular/ifname cellular/ifname cellular/ifname cellular/default wifi/default cellular/default'
    printf '10.0.0.0/8\twifi\n' > $T/tab.tsv
    run decided -t $T/tab.tsv $T/r.tsv
    assert_output 'wifi/table cellular/ifname wifi/table wifi/table wifi/table wifi/default wifi/table'
}

@test "the capture's file name (_wlan0. / _rmnet0.) decides after the interface, before prefixes" {
    ifrecs '10.0.0.1 1.2.3.4 - -' '192.168.1.2 1.2.3.4 - -' '10.0.0.1 1.2.3.4 wlan0 -' > $T/r.tsv
    run decided -f /data/mptcp_app_20150301-120000_rmnet0.pcap $T/r.tsv
    assert_output 'cellular/filename cellular/filename wifi/ifname'
    run decided -f 'x_wlan1.pcap.gz' -c 10.0.0.0/8 $T/r.tsv
    assert_output 'wifi/filename wifi/filename wifi/ifname'
    # no digits, or both tags: the name says nothing
    run decided -f 'x_wlan.pcap' $T/r.tsv
    assert_output 'cellular/default wifi/default wifi/ifname'
    run decided -f 'a_wlan0.b_rmnet0.pcap' $T/r.tsv
    assert_output 'cellular/default wifi/default wifi/ifname'
}

@test "iface_map in the configuration; a bad map entry is an error" {
    printf 'iface_map = 7=wifi, usb*=cellular\n' > $T/conf
    ifrecs '10.0.0.1 1.2.3.4 - 7' '10.0.0.1 1.2.3.4 usb0 -' > $T/r.tsv
    run decided -C $T/conf $T/r.tsv
    assert_output 'wifi/ifindex cellular/ifname'
    run "$BIN/ifmatch" -i 7=lte $T/r.tsv
    assert_failure 2
    assert_output --partial "iface_map: expected"
}
