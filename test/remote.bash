# shellcheck shell=bash
# Helpers of the suites that run analyze beyond this process tree (ssh,
# Slurm): comparing output folders, finding free ports, stopping a daemon
# with everything it started.

# A TCP port nobody listens on now, on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The processes below PID, from ps's parent links.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# kill_tree SIG PID: PID and every process below it get SIG. They are
# stopped first, so that none starts another one on the way, and get SIG
# children first: a process stopped in a process group that its parent's
# death orphans would get SIGHUP and SIGCONT from the kernel and could
# still clean up (bash runs its EXIT trap on SIGHUP), which a crashed
# host would not.
kill_tree() {
	local sig=$1 top=$2 all new p
	kill -STOP "$top" 2>/dev/null || return 0
	while :; do
		new=$(descendants "$top" | sort -n | tr '\n' ' ')
		for p in $new; do kill -STOP "$p" 2>/dev/null || true; done
		[ "$new" = "$(descendants "$top" | sort -n | tr '\n' ' ')" ] && break
	done
	# descendants lists a parent before its children: reversed, children first
	all=$(descendants "$top" | tac | tr '\n' ' ')
	all="$all $top"
	for p in $all; do kill "-$sig" "$p" 2>/dev/null || true; done
	for p in $all; do kill -CONT "$p" 2>/dev/null || true; done
}

# same_folders A B: the folders of two analyze runs hold the same files
# with the same bytes, except the manifest's host, started_ts and
# elapsed_s (where, when and how long: they differ by nature); no hidden
# (temp) entry in either.
same_folders() {
	local a=$1 b=$2 f
	[ -z "$(find "$a" "$b" -name '.*')" ] || { echo "hidden entries: $(find "$a" "$b" -name '.*')" >&2; return 1; }
	# NUL-separated: names may hold newlines (hostile_captures)
	cmp <(cd "$a" && find . -print0 | LC_ALL=C sort -z) <(cd "$b" && find . -print0 | LC_ALL=C sort -z) >&2 ||
	    { echo "not the same files: $a $b" >&2; return 1; }
	while IFS= read -r -d '' f; do
		case $f in
		*/manifest.tsv)
			cmp <(manifest_fixed "$a/$f") <(manifest_fixed "$b/$f") ||
			    { echo "manifests differ: $f" >&2; return 1; } ;;
		*)
			cmp "$a/$f" "$b/$f" || return 1 ;;
		esac
	done < <(cd "$a" && find . -type f -print0)
	[ -n "$(find "$a" -name manifest.tsv)" ] || { echo "no manifest in $a" >&2; return 1; }
}

# A manifest without its host, started_ts and elapsed_s columns (found
# by name in the header, which must have them).
manifest_fixed() {
	awk -F'\t' -v OFS='\t' '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^(host|started_ts|elapsed_s)$/) { drop[i] = 1; nd++ }
		  if (nd != 3) { print "manifest without host, started_ts or elapsed_s" > "/dev/stderr"; exit 1 } }
	{ s = ""; for (i = 1; i <= NF; i++) if (!(i in drop)) s = s (s == "" ? "" : OFS) $i; print s }' "$1"
}

# hostile_captures DIR: captures whose names would run a command if a
# stage let the shell, ssh, rsync, awk or sed interpret them, or would
# break a table or a message (tab, newline, carriage return, backslash
# escapes, quotes, %, a leading -), some in a folder with such a name, a
# gzip-compressed one (the fan-out path), and one that is not a capture.
# Copies of corpus/tcpdump-mptcp-v1.pcap. Each command is
# "cd;touch CANARYn": it would create CANARYn in the home folder of the
# user it ran as, on whichever host.
hostile_captures() {
	"$PY" - "$FIX/corpus/tcpdump-mptcp-v1.pcap" "$1" <<-'PY'
	import gzip, os, shutil, sys
	src, top = sys.argv[1:]
	names = [
	    'mptcp_app_`cd;touch CANARY1`_x.pcap',
	    'mptcp_$(cd;touch CANARY2)_x.pcap',
	    'mptcp_q\'"_x.pcap',
	    'mptcp_tab\there_x.pcap',
	    'mptcp_nl\n$(cd;touch CANARY5)\n_x.pcap',
	    'mptcp_bs\\t\\n\\\\x.pcap',
	    'mptcp_cr\rx.pcap',
	    '-mptcp_dash.pcap',
	    'mptcp_pct%s%n_*?[x]{}.pcap',
	    'd\n$(cd;touch CANARY10)/mptcp_gz`cd;touch CANARY11`.pcap.gz',
	    'bad`cd;touch CANARY12`\tx\ny.pcap',
	]
	for n in names:
	    p = os.path.join(top, n)
	    os.makedirs(os.path.dirname(p), exist_ok=True)
	    if n.startswith('bad'):
	        open(p, 'w').write('not a capture\n')
	    elif n.endswith('.gz'):
	        with open(src, 'rb') as i, gzip.open(p, 'wb') as o:
	            shutil.copyfileobj(i, o)
	    else:
	        shutil.copy(src, p)
	PY
}

# The bad capture of hostile_captures DIR as messages name it (analyze(1),
# Names: \\ \t \n \r), computed here by python.
hostile_bad_shown() {
	"$PY" - "$1" <<-'PY'
	import sys
	p = sys.argv[1] + '/bad`cd;touch CANARY12`\tx\ny.pcap'
	print(p.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r'))
	PY
}
