#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# analyze-slurm on a one-node Slurm cluster that the suite starts itself:
# munged with a key, socket and files of its own, slurmctld and slurmd
# on free ports with a minimal slurm.conf, state and spool under a temp
# folder; all stopped in teardown_file. Nothing of a system Slurm or
# munge is used. When the daemons cannot start on this machine the tests
# are skipped, saying why (their logs); a missing package is a failure.
#
# The expected folders are analyze's local run on the same captures
# (analyze.bats checks those against the filters, tshark and the kernel),
# byte for byte except the manifest's host and times.

setup_file() {
	load common
	load remote
	local b
	for b in munged slurmctld slurmd sbatch sinfo squeue scancel scontrol; do
		command -v "$b" > /dev/null ||
		    { echo "no $b: install slurm-wlm and munge (test/deps)" >&3; return 1; }
	done
	# short paths: the munge socket's name must fit a sockaddr_un
	S=$(mktemp -d /tmp/mts-slurm.XXXXXX)
	echo "$S" > "$BATS_FILE_TMPDIR/dir"
	start_cluster "$S" > "$S/start.log" 2>&1 ||
	    { echo "the Slurm daemons did not start: $(tail -5 "$S/start.log")" > "$BATS_FILE_TMPDIR/skip"; return 0; }

	# names in the original scripts' style, so that summary parses them
	local in=$S/in
	mkdir -p "$in/sub" "$in/bad"
	cp "$FIX/gen/mptcp-handover.pcap" "$in/mptcp_handover_both_20240101-120000_any.pcap"
	cp "$FIX/gen/mptcp-both.pcap" "$in/mptcp_bulk_both_20240101-121000_any.pcap"
	cp "$FIX/gen/mptcp-loss.pcap" "$in/mptcp_bulk_loss_20240102-090000_any.pcap"
	cp "$FIX/gen/mptcp-addaddr.pcap" "$in/mptcp_addaddr_lab_20240102-091000_any.pcap"
	cp "$FIX/gen/mptcp-ipv6.pcap" "$in/mptcp_bulk_v6_20240104-100000_any.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$in/sub/tcp_client_wifi_20240101-130000_wlan0.pcap"
	cp "$FIX/gen/tcp-loss.pcap" "$in/sub/tcp_bulk_loss_20240103-100000_wlan0.pcap"
	gzip -c "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$in/sub/mptcp_v1_cell_20240102-090000_rmnet0.pcap.gz"
	echo "not a capture" > "$in/bad/mptcp_notes_lab_20240105-100000_any.pcap"
	"$TOP/pipelines/analyze" -o "$S/ref" "$in" 2> "$S/ref.err" && return 1
	grep -q "analyze: 1 of 9 captures failed" "$S/ref.err"
	# captures with hostile names, and their local run
	mkdir "$S/hin"
	hostile_captures "$S/hin"
	"$TOP/pipelines/analyze" -o "$S/href" "$S/hin" 2> "$S/href.err" && return 1
	grep -q "analyze: 1 of 11 captures failed" "$S/href.err"
}

# munged, slurmctld, slurmd for one node (this host, 2 CPUs), then waits
# until the node is idle.
start_cluster() {
	local s=$1 host i
	host=$(hostname -s)
	mkdir -p "$s/munge" "$s/state" "$s/spool" "$s/log"
	head -c 1024 /dev/urandom > "$s/munge/key"
	chmod 600 "$s/munge/key"
	munged --force --socket="$s/munge/sock" --key-file="$s/munge/key" --pid-file="$s/munge/pid" \
	    --log-file="$s/munge/log" --seed-file="$s/munge/seed" 3>&- || { cat "$s/munge/log"; return 1; }
	cat > "$s/slurm.conf" <<-EOF
	ClusterName=mtstest
	SlurmctldHost=$host(127.0.0.1)
	SlurmctldPort=$(free_port)
	SlurmdPort=$(free_port)
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	AuthInfo=socket=$s/munge/sock
	CredType=cred/munge
	StateSaveLocation=$s/state
	SlurmdSpoolDir=$s/spool
	SlurmctldPidFile=$s/slurmctld.pid
	SlurmdPidFile=$s/slurmd.pid
	SlurmctldLogFile=$s/log/slurmctld.log
	SlurmdLogFile=$s/log/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	JobCompType=jobcomp/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_CPU
	SchedulerType=sched/builtin
	MpiDefault=none
	ReturnToService=2
	MinJobAge=600
	KillWait=5
	NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
	PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
	EOF
	export SLURM_CONF=$s/slurm.conf
	slurmctld -f "$SLURM_CONF" 3>&- || { cat "$s/log/slurmctld.log"; return 1; }
	slurmd -f "$SLURM_CONF" 3>&- || { cat "$s/log/slurmd.log"; return 1; }
	for i in $(seq 60); do
		[ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ] && return 0
		sleep 0.5
	done
	echo "the node is not idle after 30 s: $(sinfo -N 2>&1)"
	tail -5 "$s/log/slurmctld.log" "$s/log/slurmd.log"
	return 1
}

teardown_file() {
	load remote
	local S p i
	S=$(cat "$BATS_FILE_TMPDIR/dir" 2>/dev/null) || return 0
	export SLURM_CONF=$S/slurm.conf
	# the jobs first, while slurmd can still end their steps
	if [ -s "$S/slurmctld.pid" ]; then
		scancel --quiet --user=root 2>/dev/null || true
		for i in $(seq 40); do
			[ -z "$(squeue -h 2>/dev/null)" ] && break
			sleep 0.25
		done
	fi
	for p in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
		[ -s "$p" ] && kill_tree TERM "$(cat "$p")"
	done
	sleep 0.5
	for p in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
		[ -s "$p" ] && kill_tree KILL "$(cat "$p")"
	done
	# job steps (slurmstepd) leave slurmd's tree: those working in our spool
	for p in /proc/[0-9]*; do
		case $(readlink "$p/cwd" 2>/dev/null) in "$S"/*) kill -KILL "${p#/proc/}" 2>/dev/null || true ;; esac
	done
	rm -rf "$S"
}

setup() {
	load common
	load remote
	[ ! -e "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	S=$(cat "$BATS_FILE_TMPDIR/dir")
	export SLURM_CONF=$S/slurm.conf
	IN=$S/in
	REF=$S/ref
	O=$(mktemp -d "$S/out.XXXXXX")
	AS=$TOP/pipelines/analyze-slurm
}

# waits until Slurm has no job left
drain() {
	local i
	for i in $(seq 240); do
		[ -z "$(squeue -h)" ] && return 0
		sleep 0.25
	done
	squeue >&2
	return 1
}

@test "the cluster: our own slurmctld and slurmd, one idle node with 2 CPUs" {
	run sinfo -h -N -o '%N %t %c'
	assert_output "$(hostname -s) idle 2"
	run scontrol show config
	assert_output --partial "SLURM_CONF              = $S/slurm.conf"
}

@test "-w: the captures as a job array of batches, analyze's folders, summary as usual" {
	run --separate-stderr "$AS" -w -b 2 -j 2 -o "$O" "$IN"
	assert_failure 1
	[[ "$stderr" == *"bad/mptcp_notes_lab_20240105-100000_any.pcap: FAILED: mptcp-tables:"* ]]
	[[ "$stderr" == *"analyze-slurm: 1 of 9 captures failed"* ]]
	# one array, 5 tasks of 2 captures (9 = 2 + 2 + 2 + 2 + 1), 2 at a time
	local id
	id=$(sed -n 's/^analyze-slurm: job \([0-9]*\): 9 captures in 5 tasks (0 already analysed)$/\1/p' <<< "$stderr")
	[ -n "$id" ]
	run scontrol -o show job "$id"
	assert_equal "$(grep -c "ArrayJobId=$id ArrayTaskId=" <<< "$output")" 5
	assert_equal "$(grep -o 'ArrayTaskThrottle=[0-9]*' <<< "$output" | sort -u)" ArrayTaskThrottle=2
	assert_equal "$(grep -c 'JobState=COMPLETED' <<< "$output")" 4
	assert_equal "$(grep -c 'JobState=FAILED' <<< "$output")" 1
	same_folders "$REF" "$O"
	# summary reads them as it reads analyze's: the same tables, but for
	# the folder names in them
	"$TOP/pipelines/summary" -q -o "$O.sum" "$O"
	"$TOP/pipelines/summary" -q -o "$O.ref.sum" "$REF"
	diff <(cd "$O.ref.sum" && find . | sort) <(cd "$O.sum" && find . | sort)
	local f n=0
	while IFS= read -r f; do
		sed "s|$REF/|$O/|g" "$O.ref.sum/$f" | cmp - "$O.sum/$f"
		n=$((n + 1))
	done < <(cd "$O.sum" && find . -name '*.tsv')
	assert [ "$n" -ge 10 ]
	assert_equal "$(($(wc -l < "$O.sum/data/captures.tsv") - 1))" 8
}

@test "resubmitted: what is done is skipped, a newer capture is analysed again" {
	"$TOP/pipelines/analyze" -o "$O" "$IN/sub" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	run --separate-stderr "$AS" -w -v -o "$O" "$IN/sub" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	assert_success
	assert_equal "$(grep -c ': already analysed, skipped$' <<< "$stderr")" 4
	assert_equal "${stderr##*$'\n'}" "analyze-slurm: nothing to submit (4 captures already analysed)"
	touch -d '+1 minute' "$IN/sub/tcp_client_wifi_20240101-130000_wlan0.pcap"
	run --separate-stderr "$AS" -w -o "$O" "$IN/sub" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	touch -r "$IN/sub/tcp_bulk_loss_20240103-100000_wlan0.pcap" "$IN/sub/tcp_client_wifi_20240101-130000_wlan0.pcap"
	assert_success
	[[ "$stderr" == *": 1 captures in 1 tasks (3 already analysed)"* ]]
	"$TOP/pipelines/analyze" -o "$O.local" "$IN/sub" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	same_folders "$O.local" "$O"
}

@test "without -w: the job id on stdout at once; a last job removes the job folder" {
	run --separate-stderr "$AS" -b 3 -o "$O" "$IN/sub" "$IN/mptcp_bulk_loss_20240102-090000_any.pcap"
	assert_success
	[[ "$output" =~ ^[0-9]+$ ]]
	[[ "$stderr" == *"job $output: 4 captures in 2 tasks"* ]]
	drain
	"$TOP/pipelines/analyze" -o "$O.local" "$IN/sub" "$IN/mptcp_bulk_loss_20240102-090000_any.pcap"
	same_folders "$O.local" "$O"
	run scontrol -o show job "$output"
	assert_equal "$(grep -c 'JobState=COMPLETED' <<< "$output")" 2
}

@test "without -w, a failure: the job folder stays with its report" {
	run --separate-stderr "$AS" -o "$O" "$IN/bad" "$IN/mptcp_bulk_loss_20240102-090000_any.pcap"
	assert_success
	drain
	local jd
	jd=$(find "$O" -maxdepth 1 -name '.slurm.*')
	[ -n "$jd" ]
	run cat "$jd/report"
	assert_line --partial "mptcp_notes_lab_20240105-100000_any.pcap: FAILED: mptcp-tables:"
	assert_line "analyze-slurm: 1 of 2 captures failed"
	[ -s "$O/mptcp_bulk_loss_20240102-090000_any/manifest.tsv" ]
}

@test "a cancelled job: its tasks are counted failed, no half-written folder" {
	# mptcp-tables waits 60 s, so the tasks are surely running when cancelled
	mkdir "$S/slow"
	local t
	for t in pcap2pkt ifmatch; do ln -sf "$BIN/$t" "$S/slow/$t"; done
	printf '#!/bin/sh\nsleep 60\nexec %s "$@"\n' "$BIN/mptcp-tables" > "$S/slow/mptcp-tables"
	chmod +x "$S/slow/mptcp-tables"
	MPTCP_TOOLS_BIN=$S/slow "$AS" -w -M -b 3 -o "$O" "$IN/sub" 2> "$O.err" &
	local pid=$! i
	for i in $(seq 100); do
		[ -n "$(find "$O" -name '.*.tmp.*')" ] && break
		sleep 0.2
	done
	[ -n "$(find "$O" -name '.*.tmp.*')" ]
	scancel --user=root
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 3
	grep -q "analyze-slurm: task 0 (3 captures) did not finish" "$O.err"
	grep -q "analyze-slurm: 3 of 3 captures failed" "$O.err"
	assert_equal "$(find "$O" -mindepth 1)" ""
}

@test "hostile names: the local run's folders, nothing run, the bad one named escaped; % in the output path" {
	# Expected: the local run of the same captures (hostile-names.bats checks
	# its tables and names); the bad capture's name escaped by python
	# (hostile_bad_shown), in pcap2pkt's words for a file that is no
	# capture. The output folder's path holds "%a" and "%%", which sbatch
	# would read as its filename pattern in --output.
	local bad o=$O/p%a%%j
	bad=$(hostile_bad_shown "$S/hin")
	run --separate-stderr "$AS" -w -b 4 -o "$o" "$S/hin"
	assert_failure 1
	[[ "$stderr" == *": 11 captures in 3 tasks (0 already analysed)"* ]]
	# from the task's log
	grep -qxF "analyze: $bad: FAILED: mptcp-tables: $bad: not a readable pcap or pcapng capture (unknown file format)" <<< "$stderr"
	assert_equal "$(grep -c FAILED <<< "$stderr")" 1
	[[ "$stderr" == *"analyze-slurm: 1 of 11 captures failed"* ]]
	same_folders "$S/href" "$o"
	# the tasks ran as root: a name's command would have touched ~root
	assert_equal "$(find ~root "$S" -maxdepth 1 -name 'CANARY*')" ""
}

@test "usage errors" {
	run "$AS" -b 0 -o "$O" "$IN"
	assert_failure 2
	assert_output --partial "analyze-slurm: -b: expected a positive number"
	run "$AS" -j x -o "$O" "$IN"
	assert_failure 2
	run "$AS" -o "$O"
	assert_failure 2
	assert_output --partial "usage: analyze-slurm"
	run --separate-stderr "$AS" -w -o "$O" "$S/no-such.pcap"
	assert_failure 1
	assert_equal "$stderr" "$(printf 'analyze-slurm: %s: FAILED: no such file or directory\nanalyze-slurm: nothing to submit (0 captures already analysed)' "$S/no-such.pcap")"
	# a name with a tab and a newline, escaped (analyze(1), Names)
	run --separate-stderr "$AS" -w -o "$O" "$S/no"$'\t'"such"$'\n'".pcap"
	assert_failure 1
	assert_equal "${stderr%%$'\n'*}" "analyze-slurm: $S/no\\tsuch\\n.pcap: FAILED: no such file or directory"
	# Slurm cannot start tasks whose log path holds a backslash: said before
	run "$AS" -w -o "$O/a\\b" "$IN"
	assert_failure 2
	assert_output "analyze-slurm: Slurm cannot write task logs under a path with a backslash: $O/a\\\\b"
	assert [ ! -e "$O/a\\b" ]
}
