#!/usr/bin/env bats
# Differential test: bin/pcap2pkt against the tshark-based reference
# test/ref/tshark2pkt, compared by test/ref/cmp-pkt (see test/ref/README.md).
# bats 1.8.2 cannot register tests at run time, so there is one test per
# capture folder; each prints every capture that differs.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

setup() {
    ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
    P2P="$ROOT/bin/pcap2pkt"
    REF="$ROOT/test/ref/tshark2pkt"
    CMP="$ROOT/test/ref/cmp-pkt"
    SHARED_CORPUS="${SHARED_CORPUS:-$ROOT/../shared/corpus}"
    command -v tshark >/dev/null || fail "tshark not installed: sh test/deps check installs it"
    [ -x "$P2P" ] || fail "bin/pcap2pkt not built"
}

# captures of one folder (nullglob), malformed craft inputs left out
captures() {
    local dir="$1" f b
    shopt -s nullglob
    for f in "$dir"/*.pcap "$dir"/*.pcap.gz "$dir"/*.pcapng "$dir"/*.pcapng.gz; do
        b="$(basename "$f")"
        case "$b" in
            bad-*|empty|empty.*|notacapture|notacapture.*) continue ;;
        esac
        [ -f "$f" ] && printf '%s\n' "$f"
    done
    shopt -u nullglob
}

corpus_captures() {
    local list
    list="$(captures "$ROOT/test/fixtures/corpus")"
    if [ -z "$list" ] && [ -d "$SHARED_CORPUS" ]; then
        list="$(captures "$SHARED_CORPUS")"
    fi
    # the malformed-DSS regression capture is always part of the comparison
    if ! grep -q 'tcpdump-mptcp-dss-oobr\.pcap$' <<<"$list" &&
       [ -f "$SHARED_CORPUS/tcpdump-mptcp-dss-oobr.pcap" ]; then
        list="$list"$'\n'"$SHARED_CORPUS/tcpdump-mptcp-dss-oobr.pcap"
    fi
    sed '/^$/d' <<<"$list"
}

gen_captures() { captures "$ROOT/test/fixtures/gen"; }
craft_captures() { captures "$ROOT/test/fixtures/craft"; }

# compare every capture given on stdin; print a block per failing capture
compare_all() {
    local f out ref n=0 bad=0
    out="$BATS_TEST_TMPDIR/p2p.tsv"
    ref="$BATS_TEST_TMPDIR/ref.tsv"
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        n=$((n + 1))
        if ! "$P2P" "$f" >"$out" 2>"$BATS_TEST_TMPDIR/p2p.err"; then
            echo "FAIL $f: pcap2pkt exited non-zero: $(head -3 "$BATS_TEST_TMPDIR/p2p.err")"
            bad=$((bad + 1)); continue
        fi
        if ! "$REF" "$f" >"$ref" 2>"$BATS_TEST_TMPDIR/ref.err"; then
            echo "FAIL $f: tshark2pkt failed: $(head -3 "$BATS_TEST_TMPDIR/ref.err")"
            bad=$((bad + 1)); continue
        fi
        if ! "$CMP" -n 10 "$out" "$ref" >"$BATS_TEST_TMPDIR/cmp.out" 2>&1; then
            echo "FAIL $f:"
            sed 's/^/    /' "$BATS_TEST_TMPDIR/cmp.out"
            bad=$((bad + 1))
        fi
    done
    echo "compared $n capture(s), $bad differ"
    [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

@test "pcap2pkt-tshark: at least one capture to compare" {
    local all
    all="$(corpus_captures; gen_captures; craft_captures)"
    [ -n "$(sed '/^$/d' <<<"$all")" ] ||
        fail "no capture in test/fixtures/{corpus,gen,craft} nor $SHARED_CORPUS"
}

@test "pcap2pkt-tshark: public corpus captures match tshark" {
    local list
    list="$(corpus_captures)"
    [ -n "$list" ] || fail "fixture missing: no corpus capture"
    run compare_all <<<"$list"
    assert_success
}

@test "pcap2pkt-tshark: generated captures (test/fixtures/gen) match tshark" {
    local list
    list="$(gen_captures)"
    [ -n "$list" ] || fail "fixture missing: no capture in test/fixtures/gen yet"
    run compare_all <<<"$list"
    assert_success
}

@test "pcap2pkt-tshark: crafted captures (test/fixtures/craft) match tshark" {
    local list
    list="$(craft_captures)"
    [ -n "$list" ] || fail "fixture missing: no capture in test/fixtures/craft yet"
    run compare_all <<<"$list"
    assert_success
}

@test "pcap2pkt-tshark: malformed DSS (tcpdump-mptcp-dss-oobr) is dss! on both sides" {
    local f
    f="$(corpus_captures | grep 'tcpdump-mptcp-dss-oobr\.pcap$' | head -1)"
    [ -n "$f" ] || fail "fixture missing: tcpdump-mptcp-dss-oobr.pcap not found"
    run "$REF" "$f"
    assert_success
    # tshark: "[Malformed Packet: MPTCP]" inside a 3-byte DSS option
    assert_line --regexp $'^1\t.*\tdss!\t'
    run "$P2P" "$f"
    assert_success
    assert_line --regexp $'^1\t.*\tdss!\t'
}
