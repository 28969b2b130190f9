# Records for mptcp-metrics (test/hostile-input.bats), from a header and
# a join SYN record tagged by mptcp-join (B flag 0), client to server:
# awk -v n=N -v m=M -v prio=1|0 -f prio-v0.awk.
# N subflows of MPTCP connection 1 (TCP connections 1..N, subflows
# 0..N-1), address id 1 for the odd TCP connections and 2 for the even;
# then M v0 MP_PRIO (address id 1) from the client on subflow 0, B
# alternating, the last 1 when M is odd; then an MP_PRIO without id (B 1)
# on TCP connection 2; then a new subflow (TCP connection N + 1) with
# address id 1. prio=0: the same records without any MP_PRIO.
BEGIN { FS = OFS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
NR == 2 {
	f = 0
	for (k = 1; k <= n; k++) {
		$c["frame"] = ++f; $c["conn"] = k; $c["mpconn"] = 1; $c["subflow"] = k - 1
		$c["mpj_id"] = k % 2 ? 1 : 2; print
	}
	syn = $0
	$c["flags"] = "A"; $c["mptcp"] = prio ? "prio" : "-"
	$c["mpj_token"] = $c["mpj_nonce"] = $c["mpj_id"] = $c["mpj_backup"] = "-"
	$c["conn"] = 1; $c["subflow"] = 0; $c["prio_id"] = prio ? 1 : "-"
	for (j = 1; j <= m; j++) { $c["frame"] = ++f; $c["prio_backup"] = prio ? j % 2 : "-"; print }
	$c["conn"] = 2; $c["subflow"] = 1; $c["prio_id"] = "-"; $c["frame"] = ++f
	$c["prio_backup"] = prio ? 1 : "-"; print
	$0 = syn
	$c["frame"] = ++f; $c["conn"] = n + 1; $c["subflow"] = n; $c["mpj_id"] = 1; print
}
