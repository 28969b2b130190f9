#!/usr/bin/env bats
# The shared configuration file (common/base/config.c, mptcp-tools.conf(5)),
# exercised through ifmatch: search order, syntax, errors with file:line,
# flags over the file, the shell-readable dump (-P). Expected values are the
# ones written into each test's config file.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

setup() {
    BIN=${MPTCP_TOOLS_BIN:-$BATS_TEST_DIRNAME/../bin}
    TAB=$BATS_TEST_DIRNAME/fixtures/tables
    T=$BATS_TEST_TMPDIR
    export HOME=$T/home XDG_CONFIG_HOME=
    unset MPTCP_TOOLS_CONF
    mkdir -p $HOME
    [ -x "$BIN/ifmatch" ] || fail "ifmatch not built"
    printf 'c_addr\ts_addr\n10.8.0.5\t1.2.3.4\n1.2.3.4\t172.16.0.9\n100.64.0.1\t1.2.3.4\n' > $T/c.tsv
}

ifaces() {
    "$BIN/ifmatch" "$@" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "iface") c = i; next } { print $c }' | paste -sd' '
}

@test "-C file: the original scripts' config.py settings as key=value" {
    cat > $T/conf <<'CONF'
# IP address of the proxy/server
proxy_ip = 1.2.3.4
   # indented comment

wifi_prefix=10.8.
cell_prefix = 100.64.0.0/10 , 172.16.0.0/12
socks_password = "My awesome password"
CONF
    # 10.8.0.5: wifi_prefix; 172.16.0.9 (phone side, proxy is c_addr): cell;
    # 100.64.0.1: cell
    run ifaces -C $T/conf $T/c.tsv
    assert_output 'wifi cellular cellular'
}

@test "-P prints the effective settings for sh; eval reads them back" {
    cat > $T/conf <<'CONF'
proxy_ip = 1.2.3.4, 2001:db8::1
wifi_prefix = 10.8.
wifi_prefix = 192.168.
socks_password = "it's # a \"secret\" "
addr_table = tables/phones.tsv
CONF
    run "$BIN/ifmatch" -C $T/conf -P
    assert_success
    assert_line "config_file='$T/conf'"
    assert_line "proxy_ip='1.2.3.4,2001:db8::1'"
    assert_line "wifi_prefix='10.8.,192.168.'"
    assert_line "cell_prefix=''"
    assert_line "addr_table='$T/tables/phones.tsv'"
    eval "$output"
    [ "$socks_password" = "it's # a \"secret\" " ]
}

@test "flags win over the file: -w/-c/-p replace the file's values" {
    cat > $T/conf <<'CONF'
proxy_ip = 9.9.9.9
wifi_prefix = 100.64.
cell_prefix = 10.8.0.0/16
CONF
    run "$BIN/ifmatch" -C $T/conf -P -p 1.2.3.4 -w 10.8.0.0/16 -c 100.64.0.0/10 -c 172.16.
    assert_line "proxy_ip='1.2.3.4'"
    assert_line "wifi_prefix='10.8.0.0/16'"
    assert_line "cell_prefix='100.64.0.0/10,172.16.'"
    # file alone: 10.8.0.5 cellular, 100.64.0.1 wifi; 1.2.3.4/172.16.0.9: no
    # side is the proxy 9.9.9.9, no list holds either, a cellular list
    # exists -> ?; the flags swap the lists and make 1.2.3.4 the proxy
    run ifaces -C $T/conf $T/c.tsv
    assert_output 'cellular ? wifi'
    run ifaces -C $T/conf -p 1.2.3.4 -w 10.8.0.0/16 -c 100.64.0.0/10 -c 172.16. $T/c.tsv
    assert_output 'wifi cellular cellular'
}

@test "addr_table from the file, relative to it; -t replaces it" {
    mkdir -p $T/d/tables
    cp $TAB/phones.tsv $T/d/tables/
    printf 'addr_table = tables/phones.tsv\nproxy_ip = 1.2.3.4\n' > $T/d/conf
    printf 'c_addr\ts_addr\n10.1.2.3\t1.2.3.4\n10.1.9.9\t1.2.3.4\n10.9.9.9\t1.2.3.4\n' > $T/t.tsv
    # phones.tsv: 10.1.2.3 cellular (exact), 10.1/16 wifi, 10/8 cellular
    run ifaces -C $T/d/conf $T/t.tsv
    assert_output 'cellular wifi cellular'
    # phones-quoted.csv has no 10/8: 10.9.9.9 -> ? (a cellular list exists)
    run ifaces -C $T/d/conf -t $TAB/phones-quoted.csv $T/t.tsv
    assert_output 'cellular wifi ?'
}

@test "search order: -C, then MPTCP_TOOLS_CONF, then ~/.config, XDG_CONFIG_HOME" {
    printf 'wifi_prefix = 10.8.\n' > $T/flag.conf
    printf 'wifi_prefix = 100.64.\n' > $T/env.conf
    mkdir -p $HOME/.config/mptcp-tools $T/xdg/mptcp-tools
    printf 'wifi_prefix = 172.16.\n' > $HOME/.config/mptcp-tools/config
    printf 'wifi_prefix = 1.2.3.\n' > $T/xdg/mptcp-tools/config
    run "$BIN/ifmatch" -P
    assert_line "config_file='$HOME/.config/mptcp-tools/config'"
    assert_line "wifi_prefix='172.16.'"
    MPTCP_TOOLS_CONF=$T/env.conf run "$BIN/ifmatch" -P
    assert_line "wifi_prefix='100.64.'"
    MPTCP_TOOLS_CONF=$T/env.conf run "$BIN/ifmatch" -C $T/flag.conf -P
    assert_line "wifi_prefix='10.8.'"
    XDG_CONFIG_HOME=$T/xdg run "$BIN/ifmatch" -P
    assert_line "wifi_prefix='1.2.3.'"
}

@test "no config file anywhere: built-in defaults" {
    run "$BIN/ifmatch" -P
    assert_success
    assert_line "config_file=''"
    assert_line "proxy_ip=''"
    run ifaces $T/c.tsv
    assert_output 'cellular cellular cellular'
}

@test "a named config file that is missing is an error" {
    run "$BIN/ifmatch" -C $T/nosuch -P
    assert_failure 1
    assert_output --partial "$T/nosuch"
    MPTCP_TOOLS_CONF=$T/nosuch run "$BIN/ifmatch" -P
    assert_failure 1
}

@test "bad config lines: file:line, key and problem" {
    printf '# ok\nproxy_ip = 1.2.3.4\nwlan_prefix = 10.\n' > $T/a.conf
    run "$BIN/ifmatch" -C $T/a.conf -P
    assert_failure 1
    assert_output "ifmatch: $T/a.conf:3: wlan_prefix: unknown key"
    printf '\nproxy_ip 1.2.3.4\n' > $T/b.conf
    run "$BIN/ifmatch" -C $T/b.conf -P
    assert_failure 1
    assert_output --partial "b.conf:2: proxy_ip: expected key=value"
    printf 'proxy_ip =\n' > $T/c.conf
    run "$BIN/ifmatch" -C $T/c.conf -P
    assert_output --partial "c.conf:1: proxy_ip: empty value"
    printf 'wifi_prefix = 10.,,11.\n' > $T/d.conf
    run "$BIN/ifmatch" -C $T/d.conf -P
    assert_output --partial "d.conf:1: wifi_prefix: empty item in list"
    printf 'socks_password = a\n\nsocks_password = b\n' > $T/e.conf
    run "$BIN/ifmatch" -C $T/e.conf -P
    assert_output --partial "e.conf:3: socks_password: key set twice (first on line 1)"
    printf 'socks_password = "abc\n' > $T/f.conf
    run "$BIN/ifmatch" -C $T/f.conf -P
    assert_output --partial "f.conf:1: socks_password: unterminated quoted value"
    printf 'socks_password = "abc" x\n' > $T/g.conf
    run "$BIN/ifmatch" -C $T/g.conf -P
    assert_output --partial "g.conf:1: socks_password: text after the closing quote"
}

@test "bad values in the file: file:line of the value" {
    printf 'proxy_ip = 1.2.3.4\nwifi_prefix = 10.8.\nwifi_prefix = 10.0.0.0/40\n' > $T/a.conf
    run "$BIN/ifmatch" -C $T/a.conf $T/c.tsv
    assert_failure 1
    assert_output "ifmatch: $T/a.conf:3: wifi_prefix: not an address, CIDR prefix or address prefix: '10.0.0.0/40'"
    printf 'proxy_ip = proxy.example.org\n' > $T/b.conf
    run "$BIN/ifmatch" -C $T/b.conf $T/c.tsv
    assert_output --partial "b.conf:1: proxy_ip: not an address"
    # a flag replacing the bad value makes it harmless
    run ifaces -C $T/a.conf -w 10.8. $T/c.tsv
    assert_success
}
