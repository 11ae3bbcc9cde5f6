#!/usr/bin/env bash
# kafka.sh runs a real single-node Apache Kafka broker (KRaft, combined
# broker+controller) for charter's integration tests, from jars fetched off
# Maven Central. No Docker and no release tarball are needed: only Java 17+,
# Maven and bash.
#
# Usage: scripts/kafka.sh COMMAND
#   up        fetch jars (cached), wipe and format a fresh data dir, start the
#             broker and wait until it answers a Metadata request. A no-op if
#             the broker is already running.
#   down      stop the broker and delete its data.
#   stop      stop the broker and keep its data (for restart tests).
#   start     start the broker on the data that stop kept (formats a fresh
#             data dir if there is none). A no-op if it is already running.
#   restart-broker
#             stop, then start: a broker bounce that keeps the data.
#   status    exit 0 and print the PID if the broker runs, exit 1 otherwise.
#   fetch     only fetch the jars into the cache.
#   env       print the export line for CHARTER_KAFKA_BROKERS.
#   log       print the broker log.
#
# Environment:
#   CHARTER_KAFKA_HOME     cache and run dir   (default: <repo>/.kafka, git-ignored)
#   KAFKA_VERSION          kafka_2.13 version  (default: 4.1.1; 3.9.1 also works)
#   KAFKA_PORT             broker port         (default: 9092)
#   KAFKA_CONTROLLER_PORT  controller port     (default: KAFKA_PORT+1)
#   KAFKA_HEAP             max heap            (default: 512m)
#   KAFKA_READY_TIMEOUT    seconds to wait for readiness (default: 90)
#
# The broker listens on 127.0.0.1 only. Its log is $CHARTER_KAFKA_HOME/run/broker.log.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K="${CHARTER_KAFKA_HOME:-$repo/.kafka}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
SLF4J_VERSION="${SLF4J_VERSION:-1.7.36}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
HEAP="${KAFKA_HEAP:-512m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"

LIBS="$K/libs-$KAFKA_VERSION"
RUN="$K/run"
PROPS="$RUN/server.properties"
DATA="$RUN/data"
PIDFILE="$RUN/broker.pid"
LOG="$RUN/broker.log"

JVM_FLAGS=(
	-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
	-Dorg.slf4j.simpleLogger.defaultLogLevel=warn
	-Dorg.slf4j.simpleLogger.showDateTime=true
	-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info
	-Dorg.slf4j.simpleLogger.log.kafka.Kafka=info
)

say() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# fetch copies kafka_2.13 and its runtime closure, plus an SLF4J binding
# (the Kafka POMs ship none, so the broker would log nothing), into $LIBS.
fetch() {
	if [[ -f "$LIBS/.complete" ]]; then
		return 0
	fi
	need java "install a JDK 17+ (apt-get install openjdk-17-jdk-headless)"
	need mvn "install Maven (apt-get install maven)"
	mkdir -p "$K"
	local pom="$K/pom-$KAFKA_VERSION.xml"
	cat >"$pom" <<EOP
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>charter.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOP
	say "fetching kafka_2.13:$KAFKA_VERSION and its runtime dependencies into $LIBS"
	rm -rf "$LIBS.tmp"
	if ! mvn -B -q -f "$pom" -Dmaven.repo.local="$K/m2" \
		"$DEP_PLUGIN:copy-dependencies" \
		-DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$K/fetch.log" 2>&1; then
		cat "$K/fetch.log" >&2
		die "maven could not fetch kafka_2.13:$KAFKA_VERSION"
	fi
	[[ -n "$(compgen -G "$LIBS.tmp/kafka_2.13-*.jar")" ]] || die "no kafka_2.13 jar was fetched"
	rm -rf "$LIBS"
	mv "$LIBS.tmp" "$LIBS"
	touch "$LIBS/.complete"
}

# pid prints the broker's PID if the process recorded in $PIDFILE is alive
# and is our broker (a recycled PID is not).
pid() {
	[[ -f "$PIDFILE" ]] || return 1
	local p
	p="$(cat "$PIDFILE")"
	[[ "$p" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$p" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "kafka.Kafka $PROPS" || return 1
	echo "$p"
}

tcp_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# metadata_ready [PORT NODE BROKERS] sends a Kafka Metadata v4 request (no
# topics, no auto-creation) to 127.0.0.1:PORT (default $PORT) and succeeds
# if the broker answers with itself (node id NODE, default 1) among at
# least BROKERS (default 1) live brokers and with an active controller. v4
# is the oldest version that both 3.9 and 4.x accept.
metadata_ready() {
	local PORT="${1:-$PORT}" want_node="${2:-1}" want_brokers="${3:-1}"
	local client="charter-ready"
	local hexreq bytes
	# header: api_key=3, api_version=4, correlation_id=0x63, client_id;
	# body: topics=[] (int32 0), allow_auto_topic_creation=false.
	hexreq="0003""0004""00000063""$(printf '%04x' ${#client})""$(printf '%s' "$client" | xxd -p)""00000000""00"
	local len=$((${#hexreq} / 2))
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
	printf '%08x%s' "$len" "$hexreq" | xxd -r -p >&3
	# Read the 4-byte size, then exactly that many bytes, byte by byte so
	# that nothing past the response is consumed.
	local size
	size="$(timeout 5 dd bs=1 count=4 <&3 2>/dev/null | od -An -tu1 | awk '{print ($1*16777216)+($2*65536)+($3*256)+$4}')"
	if [[ -z "$size" || "$size" -le 8 || "$size" -gt 1000000 ]]; then
		exec 3>&-
		return 1
	fi
	bytes="$(timeout 5 dd bs=1 count="$size" <&3 2>/dev/null | od -An -v -tu1)"
	exec 3>&-
	local -a b
	read -r -d '' -a b <<<"$bytes" || true
	((${#b[@]} == size)) || return 1
	i32() { echo $(((b[$1] << 24 | b[$1 + 1] << 16 | b[$1 + 2] << 8 | b[$1 + 3]) << 32 >> 32)); }
	i16() { echo $(((b[$1] << 8 | b[$1 + 1]) << 48 >> 48)); }
	[[ "$(i32 0)" == 99 ]] || return 1 # correlation id
	local n off=8 k found=0
	n="$(i32 $off)"
	off=$((off + 4))
	((n >= want_brokers)) || return 1
	for ((k = 0; k < n; k++)); do
		local node hl port
		node="$(i32 $off)"
		hl="$(i16 $((off + 4)))"
		port="$(i32 $((off + 6 + hl)))"
		[[ "$port" == "$PORT" && "$node" == "$want_node" ]] && found=1
		off=$((off + 10 + hl))
		local rl
		rl="$(i16 $off)"
		off=$((off + 2))
		((rl > 0)) && off=$((off + rl))
	done
	((found == 1)) || return 1
	local cl
	cl="$(i16 $off)" # cluster id
	off=$((off + 2))
	((cl > 0)) && off=$((off + cl))
	local controller
	controller="$(i32 $off)"
	((controller >= 0))
}

write_props() {
	mkdir -p "$RUN"
	cat >"$PROPS" <<EOP
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
# Compaction: a small dedupe buffer (the 128 MiB default is allocated on the
# heap at start) and a 1 s cleaner backoff (default 15 s) so that tests that
# set a small segment.ms and min.cleanable.dirty.ratio see compaction soon.
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=2097152
log.cleaner.backoff.ms=1000
EOP
}

format() {
	# A random base64url UUID, as StorageTool random-uuid makes, without
	# a leading '-' that the option parser would take for a flag.
	local cid
	cid="-"
	while [[ "$cid" == -* ]]; do
		cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
	done
	mkdir -p "$DATA"
	if ! java -Xmx256m "${JVM_FLAGS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool \
		format -t "$cid" -c "$PROPS" --ignore-formatted >"$RUN/format.log" 2>&1; then
		cat "$RUN/format.log" >&2
		die "formatting $DATA failed"
	fi
}

# launch starts the broker on $PROPS and waits until it is ready.
launch() {
	if tcp_open "$PORT"; then
		die "port $PORT is already in use by another process (set KAFKA_PORT)"
	fi
	if tcp_open "$CPORT"; then
		die "controller port $CPORT is already in use by another process (set KAFKA_CONTROLLER_PORT)"
	fi
	: >"$LOG"
	local start=$SECONDS t0
	t0="$(date +%s%N)"
	setsid nohup java -Xms128m "-Xmx$HEAP" "${JVM_FLAGS[@]}" -cp "$LIBS/*" \
		kafka.Kafka "$PROPS" >>"$LOG" 2>&1 </dev/null 9>&- &
	local p=$!
	echo "$p" >"$PIDFILE"
	while ((SECONDS - start < READY_TIMEOUT)); do
		if ! kill -0 "$p" 2>/dev/null; then
			cat "$LOG" >&2
			rm -f "$PIDFILE"
			die "the broker exited during start-up (log above)"
		fi
		if tcp_open "$PORT" && metadata_ready; then
			say "broker ready on 127.0.0.1:$PORT (pid $p) after $((($(date +%s%N) - t0) / 1000000)) ms"
			return 0
		fi
		sleep 0.5
	done
	cat "$LOG" >&2
	terminate "$p"
	die "the broker was not ready after ${READY_TIMEOUT}s (log above)"
}

# terminate stops PID p gracefully (SIGTERM, a controlled shutdown) and
# waits for it, with SIGKILL after 60 s.
terminate() {
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || true
	for ((i = 0; i < 600; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		say "broker $p ignored SIGTERM for 60s; killing it"
		kill -KILL "$p" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$PIDFILE"
}

# hint prints the export line, with the port of the running broker when
# there is one (it may differ from KAFKA_PORT if that changed since up).
hint() {
	local port="$PORT" l
	if [[ -f "$PROPS" ]] && l="$(grep -o 'PLAINTEXT://127.0.0.1:[0-9]*' "$PROPS")"; then
		port="${l##*:}"
	fi
	echo "export CHARTER_KAFKA_BROKERS=127.0.0.1:$port"
}

cmd_up() {
	if p="$(pid)"; then
		say "already running (pid $p)"
		hint
		return 0
	fi
	fetch
	rm -rf "$RUN"
	write_props
	format
	launch
	hint
}

cmd_start() {
	if p="$(pid)"; then
		say "already running (pid $p)"
		hint
		return 0
	fi
	fetch
	if [[ ! -f "$PROPS" || ! -f "$DATA/meta.properties" ]]; then
		say "no kept data: starting on a fresh data dir"
		rm -rf "$RUN"
		write_props
		format
	fi
	launch
	hint
}

cmd_stop() {
	if p="$(pid)"; then
		terminate "$p"
		say "stopped (pid $p)"
	else
		rm -f "$PIDFILE"
		say "not running"
	fi
}

cmd_down() {
	cmd_stop
	rm -rf "$DATA"
	say "data deleted"
}

main() {
	local cmd="${1:-}"
	case "$cmd" in
	up | down | start | stop | restart-broker | fetch) ;;
	status)
		if p="$(pid)"; then
			echo "running (pid $p) on 127.0.0.1:$PORT"
			return 0
		fi
		echo "not running"
		return 1
		;;
	env)
		hint
		return 0
		;;
	log)
		cat "$LOG"
		return 0
		;;
	*)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
	mkdir -p "$K"
	# One command at a time: two tests calling up together must not both
	# start a broker.
	exec 9>"$K/lock"
	flock 9
	case "$cmd" in
	up) cmd_up ;;
	down) cmd_down ;;
	start) cmd_start ;;
	stop)
		cmd_stop
		[[ ! -d "$DATA" ]] || say "data kept in $DATA"
		;;
	restart-broker)
		cmd_stop
		cmd_start
		;;
	fetch) fetch ;;
	esac
}

# scripts/kafka-cluster.sh sources this file for fetch and metadata_ready.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	main "$@"
fi
