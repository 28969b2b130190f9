#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# analyze runs that share an output folder, workers killed with SIGKILL,
# temporary folders of dead workers, and the mode of the folders it
# publishes. Expected: a single run of analyze over the same captures
# (tables must be the same bytes), the processes the kernel lists (ps),
# /proc/PID/stat read by python for start times, and POSIX umask
# arithmetic for the modes.

setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR/in f i=0
	mkdir -p "$d"
	# 15 captures, 3 of them gzip-compressed (the fan-out path)
	for f in "$FIX"/gen/*.pcap "$FIX"/craft/mp-join-failed.pcap "$FIX"/craft/bad-nontcp.pcap \
	    "$FIX"/corpus/tcpdump-mptcp-v0.pcap "$FIX"/corpus/tcpdump-mptcp-v1.pcap \
	    "$FIX"/corpus/pymptcpanalyzer-client_1_tcp_only.pcap "$FIX"/corpus/pymptcpanalyzer-client_2.pcap; do
		i=$((i + 1))
		cp "$f" "$d/c$i-${f##*/}"
	done
	gzip "$d"/c1-* "$d"/c6-* "$d"/c12-*
	"$TOP/pipelines/analyze" -q -o "$BATS_FILE_TMPDIR/single" "$d"
}

setup() {
	load common
	IN=$BATS_FILE_TMPDIR/in
	T=$BATS_TEST_TMPDIR
	A=$TOP/pipelines/analyze
}

# processes (not zombies) whose command line mentions the test's folder
strays() {
	ps -eo stat=,pid=,args= | awk -v t="$T" '$1 !~ /^Z/ && index($0, t) && !/ awk /'
}

# a bin folder whose mptcp-tables first stalls for $1 seconds in a program
# of its own ($T/slow/stall, a copy of sleep), so that a capture is surely
# under way
slow_bin() {
	mkdir -p "$T/slow"
	local t
	for t in pcap2pkt ifmatch; do ln -sf "$BIN/$t" "$T/slow/$t"; done
	cp "$(command -v sleep)" "$T/slow/stall"
	printf '#!/bin/sh\n%s %s\nexec %s "$@"\n' "$T/slow/stall" "$1" "$BIN/mptcp-tables" > "$T/slow/mptcp-tables"
	chmod +x "$T/slow/mptcp-tables"
}

# wait_for GLOB: until a file matches (60 s at most: the machine may be busy)
wait_for() {
	local i
	for i in $(seq 600); do
		compgen -G "$1" > /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# same_tables DIR: every table of DIR equals the single run's; manifests
# too, but for host and time
same_tables() {
	local f n=0
	while IFS= read -r -d '' f; do
		f=${f#"$BATS_FILE_TMPDIR/single/"}
		if [ "${f##*/}" = manifest.tsv ]; then
			assert_equal "$(cut -f1-20 "$1/$f")" "$(cut -f1-20 "$BATS_FILE_TMPDIR/single/$f")"
		else
			cmp "$BATS_FILE_TMPDIR/single/$f" "$1/$f"
		fi
		n=$((n + 1))
	done < <(find "$BATS_FILE_TMPDIR/single" -name '*.tsv' -print0)
	[ "$n" -gt 100 ]
	assert_equal "$(cd "$1" && find . | sort)" "$(cd "$BATS_FILE_TMPDIR/single" && find . | sort)"
}

@test "three concurrent runs on one folder: no failure, each capture analysed once, same tables" {
	"$A" -v -o "$T/o" "$IN" 2> "$T/e1" & local p1=$!
	"$A" -v -o "$T/o" "$IN" 2> "$T/e2" & local p2=$!
	"$A" -v -j 2 -q -o "$T/o" "$IN" 2> "$T/e3" & local p3=$!
	local s1=0 s2=0 s3=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	wait "$p3" || s3=$?
	assert_equal "$s1 $s2 $s3" "0 0 0"
	run cat "$T/e1" "$T/e2" "$T/e3"
	refute_output --partial FAILED
	# under the lock a capture done by one run is skipped by the others
	assert_equal "$(grep -c ': done in ' <<< "$output")" 15
	# nothing hidden left: no .tmp, .old or .lock
	run find "$T/o" -name '.*'
	assert_output ""
	same_tables "$T/o"
}

@test "a run waits for the capture another run is analysing, says so, then skips it" {
	slow_bin 8
	local c=$IN/c10-mp-join-failed.pcap
	MPTCP_TOOLS_BIN=$T/slow "$A" -o "$T/o" "$c" 2> "$T/ea" &
	local pa=$!
	wait_for "$T/o/.c10-mp-join-failed.tmp.*"
	local worker
	worker=$(pgrep -P "$pa")
	run "$A" -v -o "$T/o" "$c"
	assert_success
	assert_line "analyze: $c: being analysed by another run (pid $worker on $(hostname)), waiting"
	assert_line "analyze: $c: analysed meanwhile by the other run, skipped"
	refute_line --partial "done in"
	wait "$pa"
	[ -s "$T/o/c10-mp-join-failed/manifest.tsv" ]
	run find "$T/o" -name '.*'
	assert_output ""
}

@test "a run waiting for a lock stops at once when interrupted" {
	slow_bin 20
	local c=$IN/c10-mp-join-failed.pcap
	MPTCP_TOOLS_BIN=$T/slow "$A" -o "$T/o" "$c" 2> "$T/ea" &
	local pa=$!
	wait_for "$T/o/.c10-mp-join-failed.tmp.*"
	"$A" -o "$T/o" "$c" 2> "$T/eb" &
	local pb=$! i
	for i in $(seq 300); do
		grep -q 'waiting' "$T/eb" && break
		sleep 0.1
	done
	grep -q 'being analysed by another run' "$T/eb"
	local t0=$SECONDS st=0
	kill -TERM "$pb"
	wait "$pb" || st=$?
	assert_equal "$st" 143
	# at once, not when the other run lets go of the lock (20 s)
	[ $((SECONDS - t0)) -le 5 ]
	# and the other one, interrupted too, cleans up after itself
	st=0
	kill -TERM "$pa"
	wait "$pa" || st=$?
	assert_equal "$st" 143
	run ls -A "$T/o"
	assert_output ""
}

@test "kill -9 of a worker: its filters stop, its temporary folder goes; a rerun analyses the capture" {
	slow_bin 60
	local c main worker i
	# plain and gzip-compressed
	for c in "$IN/c2-mptcp-backup.pcap" "$IN/c1-mptcp-addaddr.pcap.gz"; do
		rm -rf "$T/o"
		MPTCP_TOOLS_BIN=$T/slow "$A" -o "$T/o" "$c" 2> "$T/err" &
		main=$!
		wait_for "$T/o/.*.tmp.*"
		worker=$(pgrep -P "$main")
		[ -n "$worker" ]
		# the filters are running (the stall among them)
		for i in $(seq 600); do
			# not through grep: ps may list the grep itself, whose
			# arguments hold the string, before the stall has started
			[[ "$(strays)" == *"$T/slow/stall 60"* ]] && break
			sleep 0.1
		done
		run strays
		assert_output --partial "$T/slow/stall 60"
		kill -9 "$worker"
		local st=0
		wait "$main" || st=$?
		assert_equal "$st" 1
		# within a moment: no filter left, no temporary folder, no lock
		for i in $(seq 50); do
			[ -z "$(strays)" ] && [ -z "$(ls -A "$T/o")" ] && break
			sleep 0.1
		done
		run strays
		assert_output ""
		run ls -A "$T/o"
		assert_output ""
		run cat "$T/err"
		assert_line "analyze: $c: FAILED: the worker was killed by signal 9"
		# the rerun: analysed, nothing hidden left
		run "$A" -o "$T/o" "$c"
		assert_success
		[ -s "$T/o/$(basename "${c%.gz}" .pcap)/manifest.tsv" ]
		run find "$T/o" -name '.*'
		assert_output ""
	done
}

@test "stale temporary folders of dead workers are removed by the next run, a live one's kept" {
	local out=$T/o/c8-mptcp-short host dead live st
	host=$(hostname)
	mkdir -p "$T/o" "$T/tmp"
	# a dead worker: a process that has exited
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	mkdir "$T/o/.c8-mptcp-short.tmp.AAAAAA" "$T/o/.c8-mptcp-short.old.BBBBBB" "$T/tmp/analyze-w.CCCCCC"
	head -c 1000000 /dev/zero > "$T/o/.c8-mptcp-short.tmp.AAAAAA/tcp_rtt.tsv"
	for d in "$T/o/.c8-mptcp-short.tmp.AAAAAA" "$T/o/.c8-mptcp-short.old.BBBBBB" "$T/tmp/analyze-w.CCCCCC"; do
		printf '%s\t%s\t-\n' "$host" "$dead" > "$d/.owner"
	done
	# a live process, with its start time (field 22 of /proc/PID/stat)
	sleep 60 & live=$!
	st=$($PY -c 'import sys; s = open("/proc/%s/stat" % sys.argv[1]).read(); print(s[s.rindex(")") + 2:].split()[19])' "$live")
	mkdir "$T/o/.c8-mptcp-short.tmp.DDDDDD"
	printf '%s\t%s\t%s\n' "$host" "$live" "$st" > "$T/o/.c8-mptcp-short.tmp.DDDDDD/.owner"
	# and a lock file left by a killed run
	: > "$T/o/.c8-mptcp-short.lock"
	TMPDIR=$T/tmp run "$A" -o "$T/o" "$IN/c8-mptcp-short.pcap"
	kill "$live"
	assert_success
	assert_line "analyze: $IN/c8-mptcp-short.pcap: removed the stale temporary folder $T/o/.c8-mptcp-short.tmp.AAAAAA (left by pid $dead on $host)"
	assert_line "analyze: $IN/c8-mptcp-short.pcap: removed the stale temporary folder $T/o/.c8-mptcp-short.old.BBBBBB (left by pid $dead on $host)"
	assert_line "analyze: $IN/c8-mptcp-short.pcap: $T/o/.c8-mptcp-short.tmp.DDDDDD belongs to a running process ($live on $host), left alone"
	[ -s "$out/manifest.tsv" ]
	run ls -A "$T/o" "$T/tmp"
	assert_output "$(printf '%s\n' "$T/o:" .c8-mptcp-short.tmp.DDDDDD c8-mptcp-short '' "$T/tmp:")"
}

@test "published folders and pages get the user's umask, not mktemp's 0700" {
	# Expected: 0777 & ~umask for folders, 0666 & ~umask for files
	local c=$IN/c8-mptcp-short.pcap
	(umask 022 && "$A" -q -o "$T/u22" "$c" && "$TOP/pipelines/report" -n 0 "$T/u22" > /dev/null 2>&1)
	(umask 027 && "$A" -q -o "$T/u27" "$c" && "$TOP/pipelines/report" -n 0 "$T/u27" > /dev/null 2>&1)
	assert_equal "$(stat -c %a "$T/u22/c8-mptcp-short")" 755
	assert_equal "$(stat -c %a "$T/u22/c8-mptcp-short/tcp_conns.tsv")" 644
	assert_equal "$(stat -c %a "$T/u22/report.html")" 644
	assert_equal "$(stat -c %a "$T/u27/c8-mptcp-short")" 750
	assert_equal "$(stat -c %a "$T/u27/c8-mptcp-short/manifest.tsv")" 640
	assert_equal "$(stat -c %a "$T/u27/report.html")" 640
}

@test "--transfer publishes under the capture's lock: a folder another run finished meanwhile is kept" {
	# Run A (no transfer) holds the lock on the capture for 8 s; run B
	# (--transfer to this host ':', whose worker writes into B's incoming
	# folder, under a lock of its own there) finishes first, then waits
	# for A's lock to move its copy into place, and finds A's folder.
	# Expected: A's manifest (its started_ts) survives B, as the lock rule
	# of analyze(1) says, and nothing hidden is left.
	slow_bin 8
	local c=$IN/c10-mp-join-failed.pcap pa st
	MPTCP_TOOLS_BIN=$T/slow "$A" -o "$T/o" "$c" 2> "$T/ea" &
	pa=$!
	wait_for "$T/o/.c10-mp-join-failed.tmp.*"
	sleep 1
	local tb f
	tb=$(date +%s.%N)
	run --separate-stderr "$A" -v --transfer -S : -o "$T/o" "$c"
	assert_success
	[[ "$stderr" == *"analyze: $c: being analysed by another run (pid "*", waiting"* ]]
	[[ "$stderr" == *"analyze: $c: analysed meanwhile by another run, its folder kept"* ]]
	[[ "$stderr" != *"copied back"* ]]
	st=0
	wait "$pa" || st=$?
	assert_equal "$st" 0
	# the folder is A's: it started before B
	local started
	started=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "started_ts") c = i } NR == 2 { print $c }' "$T/o/c10-mp-join-failed/manifest.tsv")
	assert [ -n "$started" ]
	awk -v s="$started" -v t="$tb" 'BEGIN { exit !(s < t) }'
	for f in "$BATS_FILE_TMPDIR"/single/c10-mp-join-failed/*.tsv; do
		[ "${f##*/}" = manifest.tsv ] || cmp "$f" "$T/o/c10-mp-join-failed/${f##*/}"
	done
	run find "$T/o" -name '.*'
	assert_output ""
}

@test "--transfer: the incoming folder of a killed run of this host is removed by the next, a live one's kept" {
	# Owner records as in the stale-folder test above: an exited process
	# (dead), a running sleep with its start time from /proc (live), and
	# one of another host (whose liveness this host cannot know: kept).
	local host dead live st
	host=$(hostname)
	mkdir -p "$T/o/.incoming.AAAAAA.BBBBBB/o/9" "$T/o/.incoming.CCCCCC.DDDDDD" "$T/o/.incoming.EEEEEE.FFFFFF"
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	sleep 60 & live=$!
	st=$($PY -c 'import sys; s = open("/proc/%s/stat" % sys.argv[1]).read(); print(s[s.rindex(")") + 2:].split()[19])' "$live")
	printf '%s\t%s\t-\n' "$host" "$dead" > "$T/o/.incoming.AAAAAA.BBBBBB/.owner"
	printf '%s\t%s\t%s\n' "$host" "$live" "$st" > "$T/o/.incoming.CCCCCC.DDDDDD/.owner"
	printf '%s\t%s\t-\n' "not-$host" "$dead" > "$T/o/.incoming.EEEEEE.FFFFFF/.owner"
	run "$A" --transfer -S : -o "$T/o" "$IN/c8-mptcp-short.pcap"
	kill "$live"
	assert_success
	[ -s "$T/o/c8-mptcp-short/manifest.tsv" ]
	run ls -A "$T/o"
	assert_output "$(printf '%s\n' .incoming.CCCCCC.DDDDDD .incoming.EEEEEE.FFFFFF c8-mptcp-short)"
}
