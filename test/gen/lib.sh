# shellcheck shell=bash
# test/gen/lib.sh: topology, shaping, loss and capture helpers (sourced).
#
#   phone ns                                   server ns
#   wifi0 192.168.1.2  ==== veth ====  wifi1 192.168.1.1
#   cell0 10.0.2.2     ==== veth ====  cell1 10.0.2.1
#                                      lo    172.16.0.1  (service address)
#   IPv6: 2001:db8:1::/64 (wifi), 2001:db8:2::/64 (cell), 2001:db8:ff::1 (lo)
#
# The server's service address sits on its loopback so that it is reachable
# over both paths, as a real server is reachable over Wi-Fi and cellular.
# The phone routes by source address (policy table 102 for the cellular
# address), so a subflow from 10.0.2.2 leaves on cell0.
#
# Shaping: tbf on both ends of each veth (egress). netem is unavailable, so
# there is no propagation delay: RTTs come from serialisation and queueing
# (cellular's lower rate gives it the longer RTT). The tbf queues are long
# enough never to drop (TCP small queues keep them short), so the only
# losses are nftables drops on the RECEIVING side (server input), after the
# phone's capture point: the phone's capture sees every (re)transmission.
#
# TOPO=relay puts a "router" namespace in the middle of each path:
#
#   phone wifi0 == wp [genrw: relay] ws == wifi1 server
#   phone cell0 == cp [genrc: relay] cs == cell1 server
#
# The router namespaces have no addresses and no forwarding; relay.c moves
# the frames between their two interfaces after the configured one-way
# delay, and drops what it is told to (random TCP loss, a cut, a hold):
# losses BETWEEN the phone's and the server's capture points.

set -euo pipefail

PY=/usr/bin/python3
GEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Unique names: several runs (or engineers) may share the machine.
PH=genph$$
SV=gensv$$
RW=genrw$$	# router namespaces of TOPO=relay
RC=genrc$$
TOPO=${TOPO:-direct}

WIFI_RATE=${WIFI_RATE:-20mbit}
CELL_RATE=${CELL_RATE:-5mbit}
BURST=${BURST:-16kb}	# tbf bucket; "none" as a rate: no shaping

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

topo_down() {
	local pid
	for pid in ${RELAY_PIDS[@]+"${RELAY_PIDS[@]}"}; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	RELAY_PIDS=()
	ip netns del "$PH" 2>/dev/null || true
	ip netns del "$SV" 2>/dev/null || true
	ip netns del "$RW" 2>/dev/null || true
	ip netns del "$RC" 2>/dev/null || true
}

# Run a command inside a namespace.
ph() { ip netns exec "$PH" "$@"; }
sv() { ip netns exec "$SV" "$@"; }

topo_up() {
	topo_down
	ip netns add "$PH"
	ip netns add "$SV"
	ip -n "$PH" link set lo up
	ip -n "$SV" link set lo up
	if [ "$TOPO" = relay ]; then
		router_up "$RW" wifi0 wp ws wifi1
		router_up "$RC" cell0 cp cs cell1
	else
		ip -n "$PH" link add wifi0 type veth peer name wifi1 netns "$SV"
		ip -n "$PH" link add cell0 type veth peer name cell1 netns "$SV"
	fi
	local ns dev
	for ns in "$PH" "$SV"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.mptcp.enabled=1
		for dev in wifi0 cell0 wifi1 cell1; do
			ip -n "$ns" link show "$dev" >/dev/null 2>&1 || continue
			ip netns exec "$ns" sysctl -qw \
				"net.ipv4.conf.$dev.rp_filter=0" \
				"net.ipv6.conf.$dev.accept_ra=0" \
				"net.ipv6.conf.$dev.router_solicitations=0"
			# Wire-sized segments in the capture: no TSO/GSO/GRO.
			ip netns exec "$ns" ethtool -K "$dev" tso off gso off \
				gro off >/dev/null 2>&1 || true
			# A relay copies frames as they are: checksums must be
			# complete before they leave (no checksum offload).
			[ "$TOPO" != relay ] || ip netns exec "$ns" ethtool -K \
				"$dev" tx off >/dev/null
			ip -n "$ns" link set "$dev" up
		done
	done

	ip -n "$PH" addr add 192.168.1.2/24 dev wifi0
	ip -n "$PH" addr add 10.0.2.2/24 dev cell0
	ip -n "$SV" addr add 192.168.1.1/24 dev wifi1
	ip -n "$SV" addr add 10.0.2.1/24 dev cell1
	ip -n "$SV" addr add 172.16.0.1/32 dev lo
	ip -n "$PH" -6 addr add 2001:db8:1::2/64 dev wifi0 nodad
	ip -n "$PH" -6 addr add 2001:db8:2::2/64 dev cell0 nodad
	ip -n "$SV" -6 addr add 2001:db8:1::1/64 dev wifi1 nodad
	ip -n "$SV" -6 addr add 2001:db8:2::1/64 dev cell1 nodad
	ip -n "$SV" -6 addr add 2001:db8:ff::1/128 dev lo nodad

	# Phone: Wi-Fi is the default route; cellular by source address.
	ip -n "$PH" route add default via 192.168.1.1 dev wifi0
	ip -n "$PH" route add default via 10.0.2.1 dev cell0 table 102
	ip -n "$PH" rule add from 10.0.2.2 table 102
	ip -n "$PH" -6 route add default via 2001:db8:1::1 dev wifi0
	ip -n "$PH" -6 route add default via 2001:db8:2::1 dev cell0 table 102
	ip -n "$PH" -6 rule add from 2001:db8:2::2 table 102

	# Shaping, both directions of each path. The queue limit is large so
	# that tbf never drops (a qdisc drop on the phone happens before the
	# capture point); TCP small queues keep the queues short anyway.
	if [ "$WIFI_RATE" != none ]; then
		ph tc qdisc add dev wifi0 root tbf rate "$WIFI_RATE" burst "$BURST" limit 4mb
		sv tc qdisc add dev wifi1 root tbf rate "$WIFI_RATE" burst "$BURST" limit 4mb
	fi
	if [ "$CELL_RATE" != none ]; then
		ph tc qdisc add dev cell0 root tbf rate "$CELL_RATE" burst "$BURST" limit 4mb
		sv tc qdisc add dev cell1 root tbf rate "$CELL_RATE" burst "$BURST" limit 4mb
	fi

	# MPTCP path manager defaults: no endpoints; scenarios add theirs.
	ip -n "$PH" mptcp limits set subflows 4 add_addr_accepted 4
	ip -n "$SV" mptcp limits set subflows 4 add_addr_accepted 0

	# Filter tables for losses and blackholes on the receiving side (input:
	# after that namespace's capture point).
	local n
	for n in "$SV" "$PH"; do
		ip netns exec "$n" nft -f - <<-'EOF'
		table inet gen {
			chain in { type filter hook input priority 0; policy accept; }
			chain out { type filter hook output priority 0; policy accept; }
		}
		EOF
	done
	[ "$TOPO" != relay ] || relays_start
}

# router_up NS PHONE-IF ROUTER-PHONE-IF ROUTER-SERVER-IF SERVER-IF: a router
# namespace between phone and server, without addresses or forwarding.
router_up() {
	local ns=$1 dev
	ip netns add "$ns"
	ip -n "$PH" link add "$2" type veth peer name "$3" netns "$ns"
	ip -n "$SV" link add "$5" type veth peer name "$4" netns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 \
		net.ipv6.conf.all.forwarding=0 net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	for dev in "$3" "$4"; do
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
		ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off \
			tx off >/dev/null
		ip -n "$ns" link set "$dev" up
	done
}

# Relay settings per path (microseconds, percent); a scenario sets them
# before topo_up. Up = phone -> server.
WIFI_DELAY=${WIFI_DELAY:-0} CELL_DELAY=${CELL_DELAY:-0}
WIFI_LOSS_UP=0 WIFI_LOSS_DOWN=0 CELL_LOSS_UP=0 CELL_LOSS_DOWN=0
RELAY_PIDS=()

# relay_build DIR: compile relay.c (the generator's own delay element).
relay_build() {
	RELAY=$1/relay
	cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$RELAY" "$GEN_DIR/relay.c"
}

# relays_start: one relay per router namespace, logging to $GEN_LOG, with
# a control FIFO $CTL_DIR/PATH (see relay_ctl).
relays_start() {
	local path ns a b d l u
	for path in wifi cell; do
		if [ $path = wifi ]; then
			ns=$RW a=wp b=ws d=$WIFI_DELAY u=$WIFI_LOSS_UP l=$WIFI_LOSS_DOWN
		else
			ns=$RC a=cp b=cs d=$CELL_DELAY u=$CELL_LOSS_UP l=$CELL_LOSS_DOWN
		fi
		rm -f "$CTL_DIR/$path"
		mkfifo "$CTL_DIR/$path"
		ip netns exec "$ns" "$RELAY" -a $a -b $b -n $path -o "$GEN_LOG" \
			-c "$CTL_DIR/$path" -d "$d" -D "$d" -l "$u" -L "$l" \
			-s "$RANDOM$RANDOM" -r 50 &
		RELAY_PIDS+=($!)
	done
	for _ in $(seq 100); do
		[ "$(grep -c 'relay-start' "$GEN_LOG" 2>/dev/null)" -ge 2 ] && return 0
		sleep 0.05
	done
	log "relays did not start"
	return 1
}

# relay_ctl PATH COMMAND: e.g. relay_ctl wifi "cut both 2" (see relay.c).
relay_ctl() {
	printf '%s\n' "$2" >"$CTL_DIR/$1"
}

# The shell command for relay_ctl, for the client's --event.
relay_ctl_cmd() {
	printf "echo '%s' > %s" "$2" "$CTL_DIR/$1"
}

# gen_log EVENT PATH DIR PARAMS: a row of the generator's own log.
gen_log() {
	local t
	t=$(date +%s.%N)
	printf '%s\tgenerator\t%s\t%s\t%s\t%s\n' "$t" "$1" "$2" "$3" "$4" >>"$GEN_LOG"
}

# loss IFACE PERCENT: drop PERCENT % of TCP segments arriving at the server
# on IFACE (server side, so the phone captured them before the drop).
loss() {
	sv nft add rule inet gen in iifname "$1" meta l4proto tcp \
		numgen random mod 100 "<" "$2" drop
}

# phone_loss IFACE PERCENT: the same at the phone's input (a lossy
# download: both captures see every server transmission).
phone_loss() {
	ph nft add rule inet gen in iifname "$1" meta l4proto tcp \
		numgen random mod 100 "<" "$2" counter drop
}

# The nft command that cuts a path completely (both directions), for
# handovers; printed so the client can run it at the right moment.
blackhole_cmd() {
	printf 'ip netns exec %s nft add rule inet gen in iifname %s drop && ' "$SV" "$1"
	printf 'ip netns exec %s nft add rule inet gen out oifname %s drop' "$SV" "$1"
}

# capture_start FILE IFACE LINKTYPE SNAPLEN [TCPDUMP-OPTION...]: tcpdump in
# the phone namespace, or in $CAP_NS (LINKTYPE - = the interface's own);
# returns once it captures. Adds to CAP_PIDS (capture_stop stops them all).
CAP_PIDS=() CAP_ERRS=()
# shellcheck disable=SC2034  # CAP_PID, CAP_ERR: used by bench-capture
capture_start() {
	local file=$1 iface=$2 lt=$3 snap=$4 ltopt=()
	shift 4
	[ "$lt" = - ] || ltopt=(-y "$lt")
	rm -f "$file" "$file.err"
	# ip netns exec execs tcpdump, so $! is tcpdump's pid.
	ip netns exec "${CAP_NS:-$PH}" tcpdump -Z root -i "$iface" "${ltopt[@]}" -s "$snap" -B 16384 \
		"$@" -w "$file" tcp 2>"$file.err" &
	CAP_PID=$! CAP_ERR=$file.err	# the last one, for bench-capture
	CAP_PIDS+=("$CAP_PID")
	CAP_ERRS+=("$CAP_ERR")
	for _ in $(seq 100); do
		grep -q 'listening on' "$file.err" 2>/dev/null && return 0
		sleep 0.05
	done
	log "tcpdump did not start: $(cat "$file.err")"
	return 1
}

capture_stop() {
	local pid e bad=0
	sleep "${1:-1}"   # let FIN / DATA_FIN exchanges reach the capture
	# SIGTERM: background jobs of a non-interactive shell ignore SIGINT.
	for pid in "${CAP_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" || true
	done
	# tcpdump reports kernel drops on exit; a capture with drops is no
	# faithful reference, so fail.
	for e in "${CAP_ERRS[@]}"; do
		if grep -q '[1-9][0-9]* packets\? dropped by kernel' "$e"; then
			log "tcpdump dropped packets: $(cat "$e")"
			bad=1
		fi
		rm -f "$e"
	done
	CAP_PIDS=() CAP_ERRS=()
	return $bad
}

# server_start [traffic.py server options]: background server in the
# server namespace; returns once it listens.
server_start() {
	local ready
	ready=$(mktemp -u "${TMP:-/tmp}/gen-ready.XXXXXX")
	ip netns exec "$SV" "$PY" "$GEN_DIR/traffic.py" server --ready "$ready" "$@" &
	# shellcheck disable=SC2034  # used by the sourcing scripts
	SRV_PID=$!
	for _ in $(seq 100); do
		[ -e "$ready" ] && { rm -f "$ready"; return 0; }
		sleep 0.05
	done
	log "server did not start"
	return 1
}

client_run() {
	ph "$PY" "$GEN_DIR/traffic.py" client "$@"
}
