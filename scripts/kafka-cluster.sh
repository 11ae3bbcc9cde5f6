#!/usr/bin/env bash
# kafka-cluster.sh runs a three-node Apache Kafka cluster (KRaft; every node
# is a broker and one of three controller voters) on 127.0.0.1 for charter's
# replication tests, from the same Maven jars as scripts/kafka.sh. Topics
# default to replication factor 3 and min.insync.replicas=2, so a cluster
# with one node down still takes acks=all writes.
#
# Usage: scripts/kafka-cluster.sh COMMAND [NODE]
#   up        fetch jars (cached, shared with kafka.sh), format three fresh
#             data dirs and start the three nodes; wait until every node
#             sees all three brokers. A no-op for nodes already running.
#   down      stop every node and delete the data.
#   kill N    kill -9 node N (1, 2 or 3) and wait until it is gone.
#   start N   start node N on its kept data and wait until it sees all
#             three brokers again.
#   status    print each node's state; exit 1 unless all three run.
#   env       print the export line for CHARTER_KAFKA_CLUSTER_BROKERS.
#   log N     print node N's log.
#
# Ports are fixed and distinct: node N's broker listens on
# KAFKA_CLUSTER_PORT+2(N-1) and its controller on the port after it
# (default 19092..19097). `up` checks that all six are free and stops with
# an error naming the port otherwise; `env` reports the bound ones.
#
# Environment:
#   CHARTER_KAFKA_HOME   cache and run dir (default: <repo>/.kafka); the
#                        cluster runs in $CHARTER_KAFKA_HOME/cluster
#   KAFKA_VERSION        as for kafka.sh (default 4.1.1)
#   KAFKA_CLUSTER_PORT   first broker port (default 19092)
#   KAFKA_CLUSTER_HEAP   max heap per node (default 384m)
#   KAFKA_READY_TIMEOUT  seconds to wait for readiness (default 120)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-120}"
# shellcheck source=kafka.sh
source "$here/kafka.sh"

BASE="${KAFKA_CLUSTER_PORT:-19092}"
CHEAP="${KAFKA_CLUSTER_HEAP:-384m}"
CL="$K/cluster"
NODES=(1 2 3)

say() { printf 'kafka-cluster.sh: %s\n' "$*" >&2; }

bport() { echo $((BASE + 2 * ($1 - 1))); }
cport() { echo $((BASE + 2 * ($1 - 1) + 1)); }
ndir() { echo "$CL/node$1"; }

voters() {
	local v="" n
	for n in "${NODES[@]}"; do
		v+="${v:+,}$n@127.0.0.1:$(cport "$n")"
	done
	echo "$v"
}

brokers() {
	local b="" n
	for n in "${NODES[@]}"; do
		b+="${b:+,}127.0.0.1:$(bport "$n")"
	done
	echo "$b"
}

node_props() {
	local n=$1 d
	d="$(ndir "$n")"
	mkdir -p "$d"
	cat >"$d/server.properties" <<EOP
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$(bport "$n"),CONTROLLER://127.0.0.1:$(cport "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(bport "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
# A killed node is declared dead after 6 s instead of 9; replicas that fall
# behind leave the ISR after 10 s instead of 30.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
replica.lag.time.max.ms=10000
# Never elect a replica that missed acknowledged writes.
unclean.leader.election.enable=false
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=2097152
log.cleaner.backoff.ms=1000
EOP
}

node_pid() {
	local n=$1 f p
	f="$(ndir "$n")/pid"
	[[ -f "$f" ]] || return 1
	p="$(cat "$f")"
	[[ "$p" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$p" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "kafka.Kafka $(ndir "$n")/server.properties" || return 1
	echo "$p"
}

# launch_node starts node n on its formatted data dir without waiting.
launch_node() {
	local n=$1 d p port
	d="$(ndir "$n")"
	for port in "$(bport "$n")" "$(cport "$n")"; do
		if tcp_open "$port"; then
			die "port $port (node $n) is already in use by another process; set KAFKA_CLUSTER_PORT to a free range of six ports"
		fi
	done
	: >"$d/broker.log"
	setsid nohup java -Xms128m "-Xmx$CHEAP" "${JVM_FLAGS[@]}" -cp "$LIBS/*" \
		kafka.Kafka "$d/server.properties" >>"$d/broker.log" 2>&1 </dev/null 8>&- 9>&- &
	echo $! >"$d/pid"
}

# wait_node waits until node n answers with all three brokers live.
wait_node() {
	local n=$1 start=$SECONDS p
	p="$(cat "$(ndir "$n")/pid")"
	while ((SECONDS - start < KAFKA_READY_TIMEOUT)); do
		if ! kill -0 "$p" 2>/dev/null; then
			cat "$(ndir "$n")/broker.log" >&2
			die "node $n exited during start-up (log above)"
		fi
		if tcp_open "$(bport "$n")" && metadata_ready "$(bport "$n")" "$n" 3; then
			return 0
		fi
		sleep 0.5
	done
	tail -50 "$(ndir "$n")/broker.log" >&2
	die "node $n did not see three live brokers after ${KAFKA_READY_TIMEOUT}s (log above)"
}

cmd_up() {
	fetch
	local n running=0
	for n in "${NODES[@]}"; do
		node_pid "$n" >/dev/null && running=$((running + 1))
	done
	if ((running == ${#NODES[@]})); then
		say "already running"
		return 0
	fi
	cmd_down_quiet
	# Check every port before starting anything.
	local port
	for n in "${NODES[@]}"; do
		for port in "$(bport "$n")" "$(cport "$n")"; do
			if tcp_open "$port"; then
				die "port $port (node $n) is already in use by another process; set KAFKA_CLUSTER_PORT to a free range of six ports"
			fi
		done
	done
	local cid="-"
	while [[ "$cid" == -* ]]; do
		cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
	done
	for n in "${NODES[@]}"; do
		node_props "$n"
		if ! java -Xmx256m "${JVM_FLAGS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool \
			format -t "$cid" -c "$(ndir "$n")/server.properties" --ignore-formatted >"$(ndir "$n")/format.log" 2>&1; then
			cat "$(ndir "$n")/format.log" >&2
			die "formatting node $n failed"
		fi
	done
	local t0
	t0="$(date +%s%N)"
	for n in "${NODES[@]}"; do
		launch_node "$n"
	done
	for n in "${NODES[@]}"; do
		wait_node "$n"
	done
	say "three nodes ready on $(brokers) after $((($(date +%s%N) - t0) / 1000000)) ms"
	cmd_env
}

cmd_kill() {
	local n=$1 p i
	if ! p="$(node_pid "$n")"; then
		say "node $n is not running"
		return 0
	fi
	kill -KILL "$p"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$(ndir "$n")/pid"
	say "killed node $n (pid $p)"
}

cmd_start() {
	local n=$1 p t0
	if p="$(node_pid "$n")"; then
		say "node $n already running (pid $p)"
		return 0
	fi
	[[ -f "$(ndir "$n")/data/meta.properties" ]] || die "node $n has no data dir; run up first"
	t0="$(date +%s%N)"
	launch_node "$n"
	wait_node "$n"
	say "node $n back after $((($(date +%s%N) - t0) / 1000000)) ms"
}

cmd_down_quiet() {
	local n p
	for n in "${NODES[@]}"; do
		if p="$(node_pid "$n")"; then
			kill -KILL "$p" 2>/dev/null || true
			while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
		fi
	done
	rm -rf "$CL"
}

cmd_env() {
	echo "export CHARTER_KAFKA_CLUSTER_BROKERS=$(brokers)"
}

cmd_status() {
	local n p ok=0
	for n in "${NODES[@]}"; do
		if p="$(node_pid "$n")"; then
			echo "node $n: running (pid $p) on 127.0.0.1:$(bport "$n")"
			ok=$((ok + 1))
		else
			echo "node $n: not running"
		fi
	done
	((ok == ${#NODES[@]}))
}

node_arg() {
	[[ "${1:-}" =~ ^[123]$ ]] || die "give a node number: 1, 2 or 3"
}

cluster_main() {
	local cmd="${1:-}"
	case "$cmd" in
	env)
		cmd_env
		return 0
		;;
	status)
		cmd_status
		return
		;;
	log)
		node_arg "${2:-}"
		cat "$(ndir "$2")/broker.log"
		return 0
		;;
	up | down) ;;
	kill | start) node_arg "${2:-}" ;;
	*)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
	mkdir -p "$K"
	exec 8>"$K/cluster.lock"
	flock 8
	case "$cmd" in
	up) cmd_up ;;
	down)
		cmd_down_quiet
		say "stopped; data deleted"
		;;
	kill) cmd_kill "$2" ;;
	start) cmd_start "$2" ;;
	esac
}

cluster_main "$@"
