# shellcheck shell=bash
# tool.bash: what the bash pipelines (analyze, analyze-slurm, report,
# summary) share beyond tool.sh, which they source first; this file is
# beside it (MT_LIB's folder), in the source tree and installed.

# Names and paths in tables and messages (analyze(1), Names): backslash,
# tab, newline and carriage return written as \\ \t \n \r, every other
# byte as it is, the escaping Miller's TSV reader decodes.
# mt_esc_to VAR TEXT: TEXT escaped so, into VAR (without a subshell).
mt_esc_to() {
	local -n _mt_esc_var=$1
	_mt_esc_var=${2//\\/\\\\}
	_mt_esc_var=${_mt_esc_var//$'\t'/\\t}
	_mt_esc_var=${_mt_esc_var//$'\n'/\\n}
	# shellcheck disable=SC2034 # a name reference: the caller's variable
	_mt_esc_var=${_mt_esc_var//$'\r'/\\r}
}
# mt_tsv_esc TEXT: the same on standard output.
mt_tsv_esc() {
	local s
	mt_esc_to s "$1"
	printf '%s' "$s"
}
