# shellcheck shell=sh
# tool.sh: what every pipeline (bash or sh) shares: the name it was
# invoked by, --help and --version. A pipeline sources it from where it
# finds the file VERSION: ../common/tool.sh beside pipelines/ in the
# source tree, ../share/mptcp-tools/tool.sh beside bin/ when installed
# (make install), after setting MT_LIB to the path it found:
#
#   for MT_LIB in "$HERE/../common/tool.sh" "$HERE/../share/mptcp-tools/tool.sh"; do
#       [ -r "$MT_LIB" ] && break
#   done
#   [ -r "$MT_LIB" ] || { echo "${0##*/}: cannot find tool.sh" >&2; exit 2; }
#   . "$MT_LIB"
#
# Its names start with MT_ or mt_ (variables _mt_: sh has no locals).

# The name the pipeline was invoked by, for its usage and messages:
# installed, mptcp-NAME (make install).
MT_PROG=${0##*/}

# mt_version: "NAME VERSION" on standard output and exit 0 (1 when it
# cannot be written), as the filters' --version: VERSION is the file
# VERSION of the tree, or the one make install wrote beside tool.sh,
# without the build's +COMMIT.
mt_version() {
	_mt_v=
	for _mt_f in "${MT_LIB%/*}/VERSION" "${MT_LIB%/*}/../VERSION"; do
		if [ -r "$_mt_f" ]; then
			IFS= read -r _mt_v < "$_mt_f" || :
			break
		fi
	done
	_mt_v=${_mt_v%%+*}
	printf '%s %s\n' "$MT_PROG" "${_mt_v:-unknown}" || exit 1
	exit 0
}

# mt_std_opts OPTSTRING "$@": --help or --version among the options, as
# getopts(1) would walk them (OPTSTRING is the pipeline's getopts string,
# which says which options take an argument; the options end at the
# first operand or at --): --help runs the pipeline's `usage 0` (the
# usage on standard output, a failed write a non-zero status) and exits
# 0; --version runs mt_version. Anything else is left to getopts.
mt_std_opts() {
	_mt_os=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--) return 0 ;;
		--help) usage 0 || exit 1; exit 0 ;;
		--version) mt_version ;;
		--*) ;;
		-?*)
			_mt_s=${1#-}
			while [ -n "$_mt_s" ]; do
				_mt_c=${_mt_s%"${_mt_s#?}"}
				_mt_s=${_mt_s#?}
				case $_mt_os in
				*"$_mt_c:"*)
					# its argument: the rest of the word, or the next one
					[ -n "$_mt_s" ] || [ $# -lt 2 ] || shift
					break ;;
				esac
			done ;;
		*) return 0 ;;
		esac
		shift
	done
	return 0
}

# mt_bin DIR FILTER: the folder of the filters, for a pipeline in DIR:
# MPTCP_TOOLS_BIN when set, else DIR when FILTER (or mptcp-FILTER, as
# installed) is there, else the source tree's DIR/../bin, else where
# PATH has it; fails when none has it.
mt_bin() {
	if [ -n "${MPTCP_TOOLS_BIN:-}" ]; then
		printf '%s\n' "$MPTCP_TOOLS_BIN"
	elif [ -x "$1/$2" ] || [ -x "$1/mptcp-$2" ]; then
		printf '%s\n' "$1"
	elif [ -x "$1/../bin/$2" ]; then
		(cd "$1/../bin" && pwd)
	else
		_mt_p=$(command -v "mptcp-$2" 2>/dev/null || command -v "$2" 2>/dev/null) || return 1
		printf '%s\n' "${_mt_p%/*}"
	fi
}

# mt_script DIR NAME: a sibling pipeline, NAME (mptcp-NAME installed) in
# DIR, else on PATH; fails when there is none.
mt_script() {
	for _mt_n in "$1/$2" "$1/mptcp-$2"; do
		[ -x "$_mt_n" ] && { printf '%s\n' "$_mt_n"; return 0; }
	done
	command -v "mptcp-$2" 2>/dev/null || command -v "$2" 2>/dev/null || return 1
}

# mt_aggregate DIR: the path of aggregate in DIR: mptcp-aggregate as
# installed (Debian's package aggregate has a /usr/bin/aggregate of its
# own, maybe beside it), else aggregate as built in the tree's bin/.
mt_aggregate() {
	if [ -x "$1/mptcp-aggregate" ]; then
		printf '%s\n' "$1/mptcp-aggregate"
	elif [ -x "$1/aggregate" ]; then
		printf '%s\n' "$1/aggregate"
	else
		return 1
	fi
}

# ---- the plots (plot-cdf, plot-seq, plot-share)

# mt_plot_format OUT FMT SIZE: the image's format and size, into MT_FMT
# (png, svg or pdf: FMT, else OUT's suffix, else png), MT_W and MT_H
# (SIZE is WIDTHxHEIGHT in pixels); a bad -f or -s: the message, exit 2.
mt_plot_format() {
	MT_FMT=$2
	[ -n "$MT_FMT" ] || case $1 in
		*.svg) MT_FMT=svg ;;
		*.pdf) MT_FMT=pdf ;;
		*) MT_FMT=png ;;
	esac
	case $MT_FMT in png|svg|pdf) ;; *) echo "$MT_PROG: -f: png, svg or pdf, not '$MT_FMT'" >&2; exit 2 ;; esac
	case $3 in
		[1-9]*x[1-9]*) MT_W=${3%x*} MT_H=${3#*x} ;;
		*) MT_W='' MT_H='' ;;
	esac
	case $MT_W$MT_H in *[!0-9]*|'') echo "$MT_PROG: -s: WIDTHxHEIGHT in pixels, not '$3'" >&2; exit 2 ;; esac
}

# mt_gp_terminal: gnuplot's terminal line for MT_FMT, MT_W, MT_H.
mt_gp_terminal() {
	case $MT_FMT in
	png) echo "set terminal pngcairo size $MT_W,$MT_H font 'sans,10' noenhanced" ;;
	svg) echo "set terminal svg size $MT_W,$MT_H font 'sans,10' noenhanced" ;;
	pdf) echo "set terminal pdfcairo size $(awk "BEGIN { print $MT_W / 100 }")in,$(awk "BEGIN { print $MT_H / 100 }")in font 'sans,7' noenhanced" ;;
	esac
}

# mt_gp_str TEXT: a gnuplot string literal of any text: single-quoted,
# where gnuplot expands nothing (no `command`, no @macro, no backslash
# escape), a quote doubled; a newline or carriage return, which would end
# the command, becomes a space. mt_gp_file NAME: the same for a file
# name, with ./ when relative: gnuplot reads '< cmd' and writes '| cmd'
# as commands, '-' and '+' as special files.
mt_gp_str() { printf "'%s'" "$(printf '%s' "$1" | tr '\r\n' '  ' | sed "s/'/''/g")"; }
mt_gp_file() { case $1 in /*) mt_gp_str "$1" ;; *) mt_gp_str "./$1" ;; esac; }
# mt_gnuplot GP: runs the script GP in its own folder: the plot scripts
# name their data and image by file name alone, so that they re-run from
# where they are, after the folder has moved too
mt_gnuplot() { (cd "$(dirname "$1")" && gnuplot "$(basename "$1")"); }

# mt_col_label COL [UNIT]: an axis label for column COL: its name with
# blanks for underscores less the unit suffix, then the unit in
# parentheses; UNIT (when given) or the suffix's (_ms, _us, _s, _bytes,
# _pkts, _bytes_s), as plot-cdf(1) describes.
mt_col_label() {
	_mt_u=${2-}
	if [ -z "$_mt_u" ]; then
		case $1 in
		*_ms) _mt_u=ms ;;
		*_us) _mt_u=us ;;
		*_bytes_s) _mt_u=bytes/s ;;
		*_s) _mt_u=s ;;
		*_bytes) _mt_u=bytes ;;
		*_pkts) _mt_u=packets ;;
		esac
	fi
	_mt_n=$1
	case $_mt_u in
	ms|us|s|bytes|packets) _mt_n=${1%_"$_mt_u"} ;;
	bytes/s) _mt_n=${1%_bytes_s} ;;
	esac
	# a column named by its unit alone (bytes) keeps its name
	[ -n "$_mt_n" ] || _mt_n=$1
	printf '%s' "$_mt_n" | tr _ ' '
	[ -z "$_mt_u" ] || printf ' (%s)' "$_mt_u"
	echo
}

# mt_find_aggregate HERE: the path of aggregate for a plot script in
# HERE: MPTCP_TOOLS_BIN, HERE/../bin, HERE, then PATH (installed,
# mptcp-aggregate first: Debian's aggregate may be on PATH).
mt_find_aggregate() {
	for _mt_d in ${MPTCP_TOOLS_BIN:+"$MPTCP_TOOLS_BIN"} "$1/../bin" "$1"; do
		mt_aggregate "$_mt_d" && return 0
	done
	command -v mptcp-aggregate || command -v aggregate
}

# mt_gp_logtics AXIS LO HI: the tics of a logarithmic AXIS (x or y) whose
# range is LO to HI (above 0): at 1, 2 and 5 of every decade, or at the
# decades alone when the range spans more than 4 of them (gnuplot's own
# when fewer than two fall in the range), with k, M, G
# for thousands, millions, billions (decimal): gnuplot's own decades
# alone leave an axis within one decade bare, and print 1e+06.
mt_gp_logtics() {
	awk -v ax="$1" -v lo="$2" -v hi="$3" 'function lbl(v) {
		if (v >= 1e9) return sprintf("%gG", v / 1e9)
		if (v >= 1e6) return sprintf("%gM", v / 1e6)
		if (v >= 1e3) return sprintf("%gk", v / 1e3)
		return sprintf("%g", v)
	}
	BEGIN {
		if (!(lo > 0 && hi >= lo)) {
			printf "set %stics autofreq\n", ax
			exit
		}
		dec = hi > lo * 1e4
		n = 0
		t = ""
		for (e = int(log(lo) / log(10)) - 1; e <= int(log(hi) / log(10)) + 1; e++)
			for (k = 1; k <= 3; k++) {
				m = k == 1 ? 1 : k == 2 ? 2 : 5
				if (dec && m > 1)
					continue
				v = m * 10 ^ e
				# within the range, rounding aside
				if (v < lo * 0.999999 || v > hi * 1.000001)
					continue
				t = t sprintf("%s\"%s\" %.15g", (n++ ? ", " : ""), lbl(v), v)
			}
		# fewer than two: gnuplot chooses
		if (n < 2)
			printf "set %stics autofreq\n", ax
		else
			printf "set %stics (%s)\n", ax, t
	}'
}

# mt_range LOG MIN MAX: an axis range that shows MIN and MAX off its
# ends, "LO HI": 5% of the span beyond each (linear, LOG 0), or 5% of its
# decades (logarithmic, LOG 1, MIN above 0); a range of one value is
# widened around it.
mt_range() {
	awk -v lg="$1" -v a="$2" -v b="$3" 'BEGIN {
		if (lg) {
			f = b > a ? (b / a) ^ 0.05 : 2
			printf "%.6g %.6g\n", a / f, b * f
		} else {
			p = b > a ? (b - a) * 0.05 : (b != 0 ? (b < 0 ? -b : b) * 0.1 : 1)
			printf "%.6g %.6g\n", a - p, b + p
		}
	}'
}

# mt_gp_lintics AXIS LO HI: on a linear AXIS reaching 10000 or more,
# tics at a round step (1, 2 or 5 times a power of 10, 4 to 10 of them)
# labelled with k, M, G as mt_gp_logtics: 250k, not 250000 nor 2.5e+05;
# below, gnuplot's own.
mt_gp_lintics() {
	awk -v ax="$1" -v lo="$2" -v hi="$3" 'function lbl(v) {
		if (v >= 1e9 || v <= -1e9) return sprintf("%gG", v / 1e9)
		if (v >= 1e6 || v <= -1e6) return sprintf("%gM", v / 1e6)
		if (v >= 1e3 || v <= -1e3) return sprintf("%gk", v / 1e3)
		return sprintf("%g", v)
	}
	BEGIN {
		if (!(hi >= 1e4 && hi > lo))
			exit
		# the largest step of 4 tics or more: 5, 2, 1, 0.5, 0.2, 0.1
		# times the power of 10 under the span
		p = 10 ^ int(log(hi - lo) / log(10))
		split("5 2 1 0.5 0.2 0.1", f, " ")
		for (i = 1; i <= 6; i++)
			if ((hi - lo) / (step = f[i] * p) >= 4)
				break
		t = ""
		for (v = (lo > 0 ? int(lo / step) : -int(-lo / step)) * step; v <= hi; v += step)
			if (v >= lo)
				t = t sprintf("%s\"%s\" %.15g", (t != "" ? ", " : ""), lbl(v == 0 ? 0 : v), v == 0 ? 0 : v)
		printf "set %stics (%s)\n", ax, t
	}'
}
