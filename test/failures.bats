#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Failures keep their reason: whichever stage of analyze fails (a bad
# configuration file read by ifmatch, a full disk under any filter or the
# manifest), the capture's FAILED line carries that stage's own message;
# report on a full disk leaves the old page, not a truncated one.
#
# Expected messages: the configuration errors as mptcp-tools.conf(5)
# words them (and as ifmatch itself prints them when run alone on the
# same file, which config.bats checks); the full disk as the kernel's
# ENOSPC text, "No space left on device".

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	A=$TOP/pipelines/analyze
	CAP=$T/mptcp_x_y_20240101-120000_any.pcap
	cp "$FIX/gen/mptcp-handover.pcap" "$CAP"
	gzip -c "$CAP" > "$T/gz.pcap.gz"
	printf 'c_addr\ts_addr\n10.8.0.5\t1.2.3.4\n' > "$T/table.tsv"
}

# in_tmpfs SIZE DIR CMD...: CMD in a mount namespace of its own where DIR
# is a tmpfs of SIZE (root, or an unprivileged user namespace)
in_tmpfs() {
	local size=$1 dir=$2 u=-m
	shift 2
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] || u=-rm
	unshare "$u" sh -c 'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99; shift 2; exec "$@"' sh "$size" "$dir" "$@"
}

@test "bad configuration files: the capture's failure is the config reader's file:line message, as ifmatch gives it" {
	local i=0 conf want
	while IFS='|' read -r text problem; do
		i=$((i + 1))
		conf=$T/bad$i.conf
		printf "$text" > "$conf"
		# ifmatch alone on the same file: the message analyze must relay
		want=$(ifmatch -C "$conf" "$T/table.tsv" 2>&1 > /dev/null | head -1)
		[[ "$want" == "ifmatch: $conf:"*": $problem" ]] || fail "ifmatch says '$want', the man page '$problem'"
		for c in "$CAP" "$T/gz.pcap.gz"; do
			run "$A" -C "$conf" -o "$T/out$i" "$c"
			assert_failure 1
			# the labels are made in mptcp-tables (-I), which says so
			assert_line "analyze: $c: FAILED: mptcp-tables: ${want#ifmatch: }"
			assert_line "analyze: 1 of 1 captures failed"
			run ls -A "$T/out$i"
			assert_output ""
		done
	done <<-'EOF'
	wlan_prefix = 10.\n|wlan_prefix: unknown key
	\nproxy_ip 1.2.3.4\n|proxy_ip: expected key=value
	proxy_ip =\n|proxy_ip: empty value
	wifi_prefix = 10.,,11.\n|wifi_prefix: empty item in list
	socks_password = a\n\nsocks_password = b\n|socks_password: key set twice (first on line 1)
	socks_password = "abc\n|socks_password: unterminated quoted value
	socks_password = "abc" x\n|socks_password: text after the closing quote
	wifi_prefix = 10.8.\nwifi_prefix = 10.0.0.0/40\n|wifi_prefix: not an address, CIDR prefix or address prefix: '10.0.0.0/40'
	proxy_ip = proxy.example.org\n|proxy_ip: not an address, CIDR prefix or address prefix: 'proxy.example.org'
	EOF
	assert_equal "$i" 9
}

@test "a disk that fills up: the failing filter's own message, nothing left behind" {
	# 64 kB: less than the tables of this capture (some 300 kB)
	local c
	for c in "$CAP" "$T/gz.pcap.gz"; do
		run in_tmpfs 64k "$T/full" sh -c '"$1" -o "$2/out" "$3"; echo "status $?"; ls -A "$2/out" | sed "s/^/left: /"' sh "$A" "$T/full" "$c"
		assert_line "status 1"
		assert_line --regexp "^analyze: $c: FAILED: [a-z-]+: .*No space left on device"
		assert_line "analyze: 1 of 1 captures failed"
		# no folder, no temporary folder, no lock file
		refute_line --partial "left: "
	done
}

@test "a disk already full: the message says where and why" {
	run in_tmpfs 64k "$T/full" sh -c 'cat /dev/zero > "$2/fill" 2> /dev/null; "$1" -l -o "$2/out" "$3"; echo "status $?"; ls -A "$2/out" | sed "s/^/left: /"' sh "$A" "$T/full" "$CAP"
	assert_line "status 1"
	assert_line "analyze: $CAP: FAILED: cannot write in $T/full/out: No space left on device"
	refute_line --partial "left: "
}

@test "report on a full disk: an error, and the old page left whole" {
	"$A" -q -o "$T/an" "$CAP"
	"$TOP/pipelines/summary" -q -o "$T/an/summary" "$T/an" 2> /dev/null
	# the old page, then the disk filled up
	run in_tmpfs 64k "$T/full" sh -c '
	    printf "<p>old page</p>\n" > "$2/page.html"
	    cat /dev/zero > "$2/fill" 2> /dev/null
	    "$1" -n all -S "$3/an/summary" -o "$2/page.html" "$3/an"
	    echo "status $?"
	    cat "$2/page.html"
	    ls -A "$2"' sh "$TOP/pipelines/report" "$T/full" "$T"
	refute_line "status 0"
	assert_line --regexp 'No space left on device'
	assert_line "report: $T/full/page.html: not written"
	assert_line "<p>old page</p>"
	# no temporary page left beside it
	refute_line --regexp '^\.report'
	# and with room, the page is written whole
	run in_tmpfs 16m "$T/full" sh -c '"$1" -q -n all -S "$3/an/summary" -o "$2/page.html" "$3/an" > /dev/null; echo "status $?"; tail -1 "$2/page.html"; ls -A "$2"' \
	    sh "$TOP/pipelines/report" "$T/full" "$T"
	# the summary page and its folder of capture pages (report(1))
	assert_output "$(printf 'status 0\n</html>\npage.html\npage.pages')"
}

@test "the failure of the filter that makes the tables names it" {
	# a mptcp-tables that fails with a message of its own
	mkdir "$T/b"
	local t
	for t in pcap2pkt ifmatch; do ln -s "$BIN/$t" "$T/b/$t"; done
	printf '#!/bin/sh\necho "mptcp-tables: out of luck" >&2\nexit 1\n' > "$T/b/mptcp-tables"
	chmod +x "$T/b/mptcp-tables"
	MPTCP_TOOLS_BIN=$T/b run "$A" -o "$T/o" "$T/gz.pcap.gz"
	assert_failure 1
	assert_line "analyze: $T/gz.pcap.gz: FAILED: mptcp-tables: out of luck"
}

@test "a filter's message names the capture as analyze does: one line, the name escaped" {
	# mptcp-tables names the file as it was given it; with a tab and a
	# newline in the name, its message would split the FAILED line.
	# Expected: the path escaped by python (analyze(1), Names), in
	# mptcp-tables' words for a file that is not a capture (mptcp-tables
	# alone on a plain name, below).
	local bad=$T/$'bad\tx\ny'.pcap plain=$T/plain.pcap want reason
	echo "not a capture" > "$bad"
	cp "$bad" "$plain"
	mkdir "$T/t"
	reason=$(mptcp-tables -o "$T/t" "$plain" 2>&1 > /dev/null | head -1)
	reason=${reason#"mptcp-tables: $plain: "}
	want=$($PY -c 'import sys; print(sys.argv[1].replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"))' "$bad")
	run --separate-stderr "$A" -o "$T/o" "$bad"
	assert_failure 1
	assert_equal "$stderr" "$(printf 'analyze: %s: FAILED: mptcp-tables: %s: %s\nanalyze: 1 of 1 captures failed\nanalyze: 0 analysed, 0 partial, 1 failed, 0 skipped as done' "$want" "$want" "$reason")"
}
