# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034, SC2154: analyze's globals, set and read in analyze)
# analyze-parallel.bash: analyze's part for GNU parallel (-j, -S,
# --sshloginfile, --transfer), sourced by analyze only when it runs jobs
# through GNU parallel or is such a job (--report), so that a plain run
# does not read it. Beside tool.sh (common/ in the source tree,
# share/mptcp-tools installed). Uses analyze's globals and functions.

# ---------------------------------------------------------- GNU parallel
# Each job of GNU parallel prints "start SEQ LOGIN" when it starts and,
# once its capture is analysed or has failed, "end SEQ STATUS FILES BYTES
# LOGIN" (--report), then exits 0: a job that exits otherwise lost its
# host or connection (or its worker was killed), and GNU parallel runs it
# again on another host (--retries). FILES and BYTES describe the folder
# written, so that a folder copied back by --transfer can be checked whole.
report_start() {
	printf 'start\t%s\t%s\n' "${PARALLEL_SEQ:-0}" "${PARALLEL_SSHLOGIN:-:}"
}

report_end() {
	local st=$1 out=$2 files=0 bytes=0
	# only a folder copied back needs checking
	if [ -n "$TRANSFER" ] && { [ "$st" -eq 0 ] || [ "$st" -eq 3 ]; } && [ -d "$out" ]; then
		files=$(find "$out" -type f -printf '.\n' | wc -l)
		bytes=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	fi
	printf 'end\t%s\t%s\t%s\t%s\t%s\n' "${PARALLEL_SEQ:-0}" "$st" "$files" "$bytes" "${PARALLEL_SSHLOGIN:-:}"
}

# The report as one line per capture, in order: SEQ, STATUS (0, 1, or -
# without an end line), FILES, BYTES, the login that ended it, and the
# logins of the runs lost on the way ('; '-separated).
tally() {
	awk -F'\t' -v n="$n" '
	$1 == "start" { runs[$2, ++nrun[$2]] = $3; next }
	$1 == "end" { st[$2] = $3; files[$2] = $4; bytes[$2] = $5; at[$2] = $6 }
	END {
		for (s = 1; s <= n; s++) {
			lost = ""; skip = (s in st)
			for (r = 1; r <= nrun[s]; r++) {
				# one run of the ending login is the one that ended
				if (skip && runs[s, r] == at[s]) { skip = 0; continue }
				lost = lost (lost == "" ? "" : "; ") runs[s, r]
			}
			if (s in st) printf "%d\t%s\t%s\t%s\t%s\t%s\n", s, st[s], files[s], bytes[s], at[s], lost
			else printf "%d\t-\t0\t0\t-\t%s\n", s, lost
		}
	}' "$LIST/report"
}

# sweep_lost I: what the lost runs of capture I left beside its folder
# (their temporary folders carry this run's id): removed as a worker
# removes stale folders, under the capture's lock, by remove_stale. While
# another process holds the lock (a lost run still going, cut off from
# this host), they are left to it.
sweep_lost() {
	local out=${OUTS[$1]} d left=
	local parent=${out%/*} base=${out##*/}
	for d in "$parent/.$base.tmp.$RUN."* "$parent/.$base.old.$RUN."*; do
		[ ! -d "$d" ] || left=1
	done
	[ -n "$left" ] || return 0
	SHOWN=$(mt_tsv_esc "${INS[$1]}")
	if ! lock_output "$parent/.$base.lock" nowait; then
		echo "$PROG: $SHOWN: what its lost run left is left to the process that holds its lock" >&2
		return 0
	fi
	remove_stale "$parent" "$base"
	unlock_output
}

# --transfer: capture I's folder, copied back from LOGIN into INCOMING,
# checked whole, then published under its lock as a worker publishes
# (stale folders removed first; a folder that another run finished
# meanwhile is kept, unless -F). With "quiet" (interrupted), a capture
# whose lock is held is passed over.
publish() {
	local i=$1 files=$2 bytes=$3 login=$4 quiet=${5:-}
	local src=$INCOMING/o/$((i + 1)) out=${OUTS[$i]} cap=${INS[$i]} msg
	local parent=${out%/*} base=${out##*/}
	SHOWN=$(mt_tsv_esc "$cap") OUTF=$out WAITED=
	if [ ! -d "$src" ] || [ "$(find "$src" -type f -printf '.\n' | wc -l)" -ne "$files" ] ||
	    [ "$(find "$src" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')" -ne "$bytes" ]; then
		[ -n "$quiet" ] || fail "its tables did not come back whole from $(mt_tsv_esc "$login")"
		return 1
	fi
	msg=$(mkdir -p -- "$parent" 2>&1) || { fail "cannot create $(mt_tsv_esc "$parent"): ${msg##*: }"; return 1; }
	lock_output "$parent/.$base.lock" ${quiet:+nowait} || return 1
	if [ -z "$FORCE" ] && [ -f "$out/manifest.tsv" ] && [ "$out/manifest.tsv" -nt "$cap" ]; then
		[ -n "$quiet" ] || echo "$PROG: $SHOWN: analysed meanwhile by another run, its folder kept" >&2
		unlock_output
		return 0
	fi
	remove_stale "$parent" "$base"
	if ! publish_dir "$src" "$out"; then
		unlock_output
		return 1
	fi
	unlock_output
	[ -n "$VERBOSE" ] && echo "$PROG: $SHOWN: copied back from $(mt_tsv_esc "$login") -> $(mt_tsv_esc "$out")" >&2
	return 0
}

# --transfer: the other hosts must read the configuration that this one
# would (-C, MPTCP_TOOLS_CONF, else the per-user file), so it is copied
# with each capture, and a relative addr_table beside it; without any,
# -C /dev/null keeps the hosts' own per-user files out.
transfer_conf() {
	local c=$CONF t
	if [ -z "$c" ]; then
		if [ -n "${MPTCP_TOOLS_CONF:-}" ]; then
			c=$MPTCP_TOOLS_CONF
			[ -r "$c" ] || die "MPTCP_TOOLS_CONF: cannot read $(mt_tsv_esc "$c")"
		elif [ -n "${XDG_CONFIG_HOME:-}" ]; then
			c=$XDG_CONFIG_HOME/mptcp-tools/config
		elif [ -n "${HOME:-}" ]; then
			c=$HOME/.config/mptcp-tools/config
		fi
		if [ -z "$c" ] || [ ! -e "$c" ]; then
			wopts+=(-C /dev/null)
			return 0
		fi
		c=$(readlink -f -- "$c")
		wopts+=(-C "$c")
	fi
	popts+=(--transferfile "${c%/*}/./${c##*/}")
	# the addr_table setting, read as config.c reads it (an absolute path
	# here: never taken by awk for a variable assignment)
	t=$(awk '/^[ \t]*addr_table[ \t]*=/ {
		sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]*$/, "")
		if ($0 ~ /^".*"$/) { $0 = substr($0, 2, length($0) - 2); gsub(/\\"/, "\""); gsub(/\\\\/, "\\") }
		print; exit
	}' "$c")
	case $t in
	'' | /*) ;;
	../* | */../* | .. | */..) die "--transfer: the addr_table of $(mt_tsv_esc "$c") must not be outside its folder: $(mt_tsv_esc "$t")" ;;
	*) popts+=(--transferfile "${c%/*}/./$t") ;;
	esac
}

# After GNU parallel: a word on every capture whose host was lost, what
# the lost runs left removed, --transfer's folders moved into place; sets
# the counts (failed, partial, analysed, skipped). With "quiet" (interrupted),
# captures without a verdict are passed over in silence.
finish_parallel() {
	local quiet=${1:-} seq st files bytes at lost i shown
	mapfile -d '' INS < "$LIST/in"
	mapfile -d '' OUTS < "$LIST/out"
	failed=0 partial=0 analysed=0
	while IFS=$'\t' read -r seq st files bytes at lost; do
		i=$((seq - 1))
		shown=$(mt_tsv_esc "${INS[$i]}")
		[ -n "$lost" ] && [ -z "$TRANSFER" ] && sweep_lost "$i"
		case $st in
		-)
			[ -n "$quiet" ] && continue
			if [ -n "$lost" ]; then
				echo "$PROG: $shown: FAILED: its runs were lost with their host or connection ($(mt_tsv_esc "$lost"))" >&2
			else
				echo "$PROG: $shown: FAILED: no host could start it" >&2
			fi
			failed=$((failed + 1))
			continue ;;
		1) failed=$((failed + 1)) ;;
		4) skipped=$((skipped + 1)) ;;
		esac
		[ -n "$lost" ] && [ -z "$quiet" ] &&
		    echo "$PROG: $shown: its run on $(mt_tsv_esc "$lost") was lost with the host or connection; run again on $(mt_tsv_esc "$at")" >&2
		if { [ "$st" = 0 ] || [ "$st" = 3 ]; } && [ -n "$TRANSFER" ]; then
			publish "$i" "$files" "$bytes" "$at" "$quiet" || { failed=$((failed + 1)); continue; }
		fi
		case $st in
		0) analysed=$((analysed + 1)) ;;
		3) partial=$((partial + 1)) ;;
		esac
	done < <(tally)
	[ -z "$INCOMING" ] || rm -rf -- "$INCOMING"
	INCOMING=
	return 0
}
