#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# analyze across ssh hosts, for real: the suite starts its own sshd
# daemons on 127.0.0.1 (ports of their own, a host key and a client key
# made here, root logging in with that key only), never the system's.
#
#   A, B  two "hosts": two sshd on two ports, seeing this machine's files
#         (the shared file system analyze -S needs)
#   T     a host without that file system: its sshd runs in a mount
#         namespace of its own, where the test's input and output folder
#         and root's home are empty tmpfs mounts, so a path of this side
#         does not exist there (--transfer)
#
# The expected tables are analyze's own local run on the same captures
# (analyze.bats checks those against the filters, tshark and the kernel):
# a run across hosts must give the same bytes, except the manifest's
# host, started_ts and elapsed_s, which differ by nature.

setup_file() {
	load common
	load remote
	[ -x /usr/sbin/sshd ] || { echo "no /usr/sbin/sshd: install openssh-server (test/deps)" >&3; return 1; }
	# short paths: socket and argument lengths
	D=$(mktemp -d /tmp/mts-ssh.XXXXXX)
	echo "$D" > "$BATS_FILE_TMPDIR/dir"
	mkdir -p "$D/local/in/sub" "$D/remote" "$D/local/conf"
	ssh-keygen -q -t ed25519 -N '' -f "$D/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$D/client_key"
	cp "$D/client_key.pub" "$D/authorized_keys"
	# sshd's privilege separation folder, which the Debian service makes;
	# left in place after (another sshd may need it by then)
	mkdir -p /run/sshd
	local h
	for h in A B T; do
		free_port > "$D/$h.port"
		cat > "$D/$h.conf" <<-EOF
		ListenAddress 127.0.0.1:$(cat "$D/$h.port")
		HostKey $D/host_key
		AuthorizedKeysFile $D/authorized_keys
		PidFile $D/$h.pid
		UsePAM no
		StrictModes no
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		MaxStartups 100:30:200
		MaxSessions 100
		LogLevel INFO
		EOF
		echo "5/$(ssh_cmd "$h") root@127.0.0.1" > "$D/$h.login"
	done
	/usr/sbin/sshd -f "$D/A.conf" -E "$D/A.log" 3>&-
	/usr/sbin/sshd -f "$D/B.conf" -E "$D/B.log" 3>&-
	# T: the input and output folders and root's home hidden
	unshare --mount --propagation private sh -c '
	    mount -t tmpfs tmpfs "$1" && mount -t tmpfs tmpfs /root &&
	    exec /usr/sbin/sshd -f "$2" -E "$3"' sh "$D/local" "$D/T.conf" "$D/T.log" 3>&-
	for h in A B T; do
		wait_ssh "$h" || { echo "sshd $h did not start: $(cat "$D/$h.log")" >&3; return 1; }
	done

	# the captures: every gen fixture, corpus captures, a gzipped one,
	# one that is not a capture
	cp "$FIX"/gen/*.pcap "$D/local/in/"
	cp "$FIX"/corpus/pymptcpanalyzer-client_1_tcp_only.pcap "$D/local/in/sub/tcp_client.pcap"
	cp "$FIX"/corpus/tcpdump-mptcp-*.pcap "$FIX"/corpus/ptcpdump-tcp.pcapng "$D/local/in/sub/"
	gzip -c "$FIX/corpus/pymptcpanalyzer-client_2.pcap" > "$D/local/in/sub/client_2.pcap.gz"
	echo "not a capture" > "$D/local/in/sub/notes.pcap"
	# the local run everything is compared with
	"$TOP/pipelines/analyze" -o "$D/local/ref" "$D/local/in" 2> "$D/local/ref.err" && return 1
	grep -q "1 of 20 captures failed" "$D/local/ref.err"
	# the tools installed on host T, at a path of their own
	make -s -C "$TOP" install PREFIX="$D/remote" > /dev/null
	# captures with hostile names, and their local run
	mkdir "$D/local/hin"
	hostile_captures "$D/local/hin"
	"$TOP/pipelines/analyze" -o "$D/local/href" "$D/local/hin" 2> "$D/local/href.err" && return 1
	grep -q "1 of 11 captures failed" "$D/local/href.err"
}

teardown_file() {
	load remote
	local D h
	D=$(cat "$BATS_FILE_TMPDIR/dir" 2>/dev/null) || return 0
	for h in A B T; do
		[ -s "$D/$h.pid" ] && kill_tree KILL "$(cat "$D/$h.pid")"
	done
	rm -rf "$D"
}

setup() {
	load common
	load remote
	D=$(cat "$BATS_FILE_TMPDIR/dir")
	IN=$D/local/in
	REF=$D/local/ref
	# outputs under local/: host T cannot see them
	O=$(mktemp -d "$D/local/out.XXXXXX")
}

# The ssh command of host H: its port, the test's key, no host key check.
ssh_cmd() {
	echo "ssh -p $(cat "$D/$1.port") -i $D/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
}

wait_ssh() {
	local i
	for i in $(seq 50); do
		# answering, and its pid file written (sshd writes it as it starts
		# listening: a busy machine can answer first)
		$(ssh_cmd "$1") root@127.0.0.1 true 2> /dev/null && [ -s "$D/$1.pid" ] && return 0
		sleep 0.1
	done
	return 1
}

# Does an analysis run under host H's sshd?
busy() {
	local d
	d=$(descendants "$(cat "$D/$1.pid")" | tr '\n' ,)
	[ -n "$d" ] && ps -o args= -p "${d%,}" | grep -q -- '--worker'
}

# Logins accepted by host H's sshd so far.
accepted() {
	grep -c 'Accepted publickey for root' "$D/$1.log" || true
}

@test "the daemons: three sshd of the suite's own, T sees none of this side's files" {
	local h
	for h in A B T; do
		assert [ -s "$D/$h.pid" ]
		run $(ssh_cmd "$h") root@127.0.0.1 'echo $((6 * 7))'
		assert_output 42
	done
	run $(ssh_cmd T) root@127.0.0.1 "test ! -e '$IN' && ls -A '$D/local' && ls -A ~"
	assert_success
	assert_output ""
	run $(ssh_cmd A) root@127.0.0.1 "test -f '$IN/mptcp-both.pcap'"
	assert_success
}

@test "-S over two ssh hosts and ':': the same folders as the local run" {
	local a0 b0
	a0=$(accepted A) b0=$(accepted B)
	printf '%s\n' "$(cat "$D/A.login")" "$(cat "$D/B.login")" 1/: > "$O.logins"
	run --separate-stderr "$TOP/pipelines/analyze" -j 2 --sshloginfile "$O.logins" -o "$O" "$IN"
	assert_failure 1
	[[ "$stderr" == *"sub/notes.pcap: FAILED: mptcp-tables:"* ]]
	[[ "$stderr" == *"analyze: 1 of 20 captures failed"* ]]
	same_folders "$REF" "$O"
	# both hosts took jobs: each job is an ssh login
	assert [ "$(accepted A)" -gt "$a0" ]
	assert [ "$(accepted B)" -gt "$b0" ]
}

@test "a host lost mid-run: its jobs run again elsewhere, said on stderr, nothing half-written" {
	# Filters slowed down (mptcp-tables waits 2 s), so that host B surely
	# has jobs running when it is killed: its sshd and every process
	# under it, the analyses included (as a crashed machine would).
	mkdir "$D/slow"
	local t
	for t in pcap2pkt ifmatch; do ln -sf "$BIN/$t" "$D/slow/$t"; done
	printf '#!/bin/sh\nsleep 2\nexec %s "$@"\n' "$BIN/mptcp-tables" > "$D/slow/mptcp-tables"
	chmod +x "$D/slow/mptcp-tables"
	printf '%s\n' "2/$(ssh_cmd A) root@127.0.0.1" "2/$(ssh_cmd B) root@127.0.0.1" 1/: > "$O.logins"
	MPTCP_TOOLS_BIN=$D/slow "$TOP/pipelines/analyze" --sshloginfile "$O.logins" -o "$O" "$IN" 2> "$O.err" &
	local pid=$! i
	# an analysis runs under B's sshd
	for i in $(seq 100); do
		busy B && break
		sleep 0.1
	done
	busy B
	kill_tree KILL "$(cat "$D/B.pid")"
	local st=0
	wait "$pid" || st=$?
	# only the bad capture failed; the lost runs were run again
	assert_equal "$st" 1
	grep -q "sub/notes.pcap: FAILED: mptcp-tables:" "$O.err"
	grep -q "analyze: 1 of 20 captures failed" "$O.err"
	grep -q "was lost with the host or connection; run again on" "$O.err"
	grep "was lost" "$O.err" | grep -q -- "-p $(cat "$D/B.port") "
	same_folders "$REF" "$O"
	# restart B for the tests after this one
	rm -f "$D/B.pid"
	/usr/sbin/sshd -f "$D/B.conf" -E "$D/B.log" 3>&-
	wait_ssh B
}

@test "a host lost with runs not retried: they fail, named; analyze removes what they left" {
	# --retries 1: a lost run is not run again, so no worker of another
	# host cleans up after it; analyze itself sweeps what the lost runs
	# left (their temporary folders carry its run id) under each
	# capture's lock. mptcp-tables waits 30 s: both captures are under way
	# on B when its sshd and everything under it are killed.
	mkdir "$D/slow2"
	local t c
	for t in pcap2pkt ifmatch; do ln -sf "$BIN/$t" "$D/slow2/$t"; done
	printf '#!/bin/sh\nsleep 30\nexec %s "$@"\n' "$BIN/mptcp-tables" > "$D/slow2/mptcp-tables"
	chmod +x "$D/slow2/mptcp-tables"
	mkdir "$O.in"
	cp "$IN/mptcp-both.pcap" "$IN/mptcp-loss.pcap" "$O.in/"
	MPTCP_TOOLS_BIN=$D/slow2 "$TOP/pipelines/analyze" -j 2 --retries 1 -S "$(cat "$D/B.login")" -o "$O" "$O.in" 2> "$O.err" &
	local pid=$! i
	for i in $(seq 300); do
		[ "$(find "$O" -name '.*.tmp.*' | wc -l)" -eq 2 ] && break
		sleep 0.1
	done
	assert_equal "$(find "$O" -name '.*.tmp.*' | wc -l)" 2
	kill_tree KILL "$(cat "$D/B.pid")"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 2
	for c in mptcp-both mptcp-loss; do
		grep -q "^analyze: $O.in/$c.pcap: FAILED: its runs were lost with their host or connection (" "$O.err"
		grep -q "^analyze: $O.in/$c.pcap: removed the stale temporary folder $O/.$c.tmp.[A-Za-z0-9]*\.[A-Za-z0-9]* (left by pid [0-9]* on $(hostname))$" "$O.err"
	done
	grep -q "analyze: 2 of 2 captures failed" "$O.err"
	# nothing left: no temporary folder, no lock
	run ls -A "$O"
	assert_output ""
	rm -f "$D/B.pid"
	/usr/sbin/sshd -f "$D/B.conf" -E "$D/B.log" 3>&-
	wait_ssh B
}

@test "no host reachable: every capture fails, named, no folder written" {
	local dead
	dead=$(free_port)
	run --separate-stderr "$TOP/pipelines/analyze" -S "1/ssh -p $dead -o BatchMode=yes root@127.0.0.1" -o "$O" "$IN/sub"
	assert_failure 11
	[[ "$stderr" == *"tcp_client.pcap: FAILED: no host could start it"* ]]
	[[ "$stderr" == *"analyze: 11 of 11 captures failed"* ]]
	assert_equal "$(ls -A "$O")" ""
}

@test "--transfer: captures copied to a host without the file system, tables copied back" {
	local t0
	t0=$(accepted T)
	run --separate-stderr "$TOP/pipelines/analyze" -v --transfer --remote-bin "$D/remote/bin" \
	    -S "$(cat "$D/T.login")" -o "$O" "$IN"
	assert_failure 1
	[[ "$stderr" == *"$IN/sub/notes.pcap: FAILED: mptcp-tables:"* ]]
	[[ "$stderr" == *"analyze: 1 of 20 captures failed"* ]]
	# every good capture came back from T
	assert_equal "$(grep -c "copied back from $(ssh_cmd T) root@127.0.0.1 -> " <<< "$stderr")" 19
	assert [ "$(accepted T)" -gt "$t0" ]
	same_folders "$REF" "$O"
	# T kept nothing: --cleanup removed each job's folder
	run $(ssh_cmd T) root@127.0.0.1 'test ! -e ~/.parallel/tmp || find ~/.parallel/tmp -mindepth 1 -maxdepth 1 ! -name sshlogin'
	assert_success
	assert_output ""
	# run again: all done, nothing sent; newer captures alone are redone,
	# on T and on this host (':', which analyses them where they are)
	run --separate-stderr "$TOP/pipelines/analyze" -v --transfer --remote-bin "$D/remote/bin" \
	    -S "$(cat "$D/T.login")" -o "$O" "$IN"
	assert_failure 1
	assert_equal "$(grep -c 'already analysed, skipped' <<< "$stderr")" 19
	assert_equal "$(grep -c 'copied back from' <<< "$stderr")" 0
	printf '%s\n' "1/$(ssh_cmd T) root@127.0.0.1" 1/: > "$O.logins"
	touch -d '+1 minute' "$IN"/mptcp-*.pcap
	run --separate-stderr "$TOP/pipelines/analyze" -v -j 2 --transfer --remote-bin "$D/remote/bin" \
	    --sshloginfile "$O.logins" -o "$O" "$IN"
	touch -r "$IN/tcp-loss.pcap" "$IN"/mptcp-*.pcap
	assert_failure 1
	assert_equal "$(grep -c 'already analysed, skipped' <<< "$stderr")" 11
	assert_equal "$(grep -c 'copied back from' <<< "$stderr")" 8
	grep -q 'copied back from : ' <<< "$stderr"
	grep -q "copied back from $(ssh_cmd T)" <<< "$stderr"
	same_folders "$REF" "$O"
}

@test "--transfer -C: the configuration and its address table go along" {
	# An address table that swaps the gen captures' interfaces: 192.168.
	# is Wi-Fi by default (ifmatch(1)); here it is cellular, 10.0.2. Wi-Fi.
	printf 'addr_table = phones.tsv\n' > "$D/local/conf/swap.conf"
	printf '192.168.1.0/24\tcellular\n10.0.2.0/24\twifi\n' > "$D/local/conf/phones.tsv"
	"$TOP/pipelines/analyze" -C "$D/local/conf/swap.conf" -o "$O/ref" "$IN/mptcp-both.pcap"
	assert_equal "$(pick subflow,iface < "$O/ref/mptcp-both/mptcp_subflows.tsv")" "$(printf '0 cellular\n1 wifi')"
	run "$TOP/pipelines/analyze" -C "$D/local/conf/swap.conf" --transfer --remote-bin "$D/remote/bin" \
	    -S "$(cat "$D/T.login")" -o "$O/t" "$IN/mptcp-both.pcap"
	assert_success
	same_folders "$O/ref" "$O/t"
}

@test "--transfer needs hosts; --retries a number" {
	run "$TOP/pipelines/analyze" --transfer -o "$O" "$IN"
	assert_failure 2
	assert_output --partial "--transfer needs -S or --sshloginfile"
	run "$TOP/pipelines/analyze" --retries x -S : -o "$O" "$IN"
	assert_failure 2
	assert_output --partial "--retries: expected a number"
}

# CANARY files in the home folders a name's command would have reached:
# this host's root (hosts A, B and ':' log in as root here) and T's
canaries() {
	find ~root "$D" -maxdepth 1 -name 'CANARY*'
	$(ssh_cmd T) root@127.0.0.1 'find ~ -maxdepth 1 -name "CANARY*"'
}

@test "hostile names across hosts: -S and --transfer write the local run's folders, run nothing, name them escaped" {
	# Expected: the local run of the same captures (hostile-names.bats checks
	# its tables and names); the bad capture's name escaped by python
	# (hostile_bad_shown), in pcap2pkt's words for a file that is no capture.
	local bad line
	assert_equal "$(canaries)" ""
	bad=$(hostile_bad_shown "$D/local/hin")
	line="analyze: $bad: FAILED: mptcp-tables: $bad: not a readable pcap or pcapng capture (unknown file format)"
	grep -qxF "$line" "$D/local/href.err"
	printf '%s\n' "$(cat "$D/A.login")" "$(cat "$D/B.login")" 1/: > "$O.logins"
	run --separate-stderr "$TOP/pipelines/analyze" -j 2 --sshloginfile "$O.logins" -o "$O/s" "$D/local/hin"
	assert_failure 1
	assert_equal "$(grep -c FAILED <<< "$stderr")" 1
	grep -qxF "$line" <<< "$stderr"
	same_folders "$D/local/href" "$O/s"
	# --transfer: every capture to host T, which sees none of these files
	run --separate-stderr "$TOP/pipelines/analyze" -v --transfer --remote-bin "$D/remote/bin" \
	    -S "$(cat "$D/T.login")" -o "$O/t" "$D/local/hin"
	assert_failure 1
	assert_equal "$(grep -c FAILED <<< "$stderr")" 1
	# the remote side runs the installed mptcp-analyze, which names itself so
	grep -qxF "mptcp-$line" <<< "$stderr"
	assert_equal "$(grep -c ": copied back from $(ssh_cmd T) root@127.0.0.1 -> " <<< "$stderr")" 10
	same_folders "$D/local/href" "$O/t"
	assert_equal "$(canaries)" ""
}
