#!/usr/bin/env bash
# test.sh runs charter's whole test suite: vet, the main module's tests
# (with a real Kafka broker from scripts/kafka.sh), and the real-client
# conformance module, which also drives a live `charter serve` with
# Confluent's Python and Node.js clients, the community Node.js client
# @kafkajs/confluent-schema-registry and the community Python client
# python-schema-registry-client (installed here by scripts/interop-setup.sh). It is what `make test` and CI run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [ ! -d ../shared/testdata/confluent ]; then
	echo "test.sh: ../shared/testdata/confluent is missing; the conformance vectors must sit beside the repository" >&2
	exit 1
fi

# The installs (Chromium and playwright-core, the interop clients from PyPI
# and npm, schemathesis from PyPI) wait on the network, not the CPU: they
# run in the background while the checks and the Go tests below use the
# two cores, and each is awaited right before the step that needs it.
work="$(mktemp -d)"
bg_pids=()
cleanup() {
	for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	bash scripts/kafka-cluster.sh down >/dev/null 2>&1 || true
	bash scripts/kafka.sh down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
background() { # name command...: run command, its output in $work/name.log
	local name="$1"
	shift
	("$@") >"$work/$name.log" 2>&1 &
	bg_pids+=($!)
	echo "$!" >"$work/$name.pid"
}
await() { # name: wait for a background step, failing with its log
	local name="$1"
	if ! wait "$(cat "$work/$name.pid")"; then
		echo "test.sh: $name failed:" >&2
		cat "$work/$name.log" >&2
		exit 1
	fi
	echo "test.sh: $name done"
}
echo "== installing in the background: Chromium and playwright-core, the interop clients, schemathesis"
background browser bash -c "bash scripts/browser-setup.sh >'$work/browser.env'"
background interop bash scripts/interop-setup.sh
background schemathesis bash scripts/schemathesis.sh install

echo "== gofmt and go vet"
unformatted="$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)"
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...

echo "== go.mod and go.sum tidy in both modules"
go mod tidy -diff
(cd conformance && go mod tidy -diff)

echo "== staticcheck"
# Pinned; go run fetches it from the module proxy once and caches it.
staticcheck="honnef.co/go/tools/cmd/staticcheck@v0.8.2"
go run "$staticcheck" ./...
(cd conformance && CGO_ENABLED=1 go run "$staticcheck" ./...)

echo "== starting a real Kafka broker"
bash scripts/kafka.sh up
eval "$(bash scripts/kafka.sh env)"
export CHARTER_KAFKA_BROKERS
export CHARTER_KAFKA_SCRIPT="$repo/scripts/kafka.sh"

echo "== starting a three-broker Kafka cluster (replication factor 3, min.insync.replicas=2)"
bash scripts/kafka-cluster.sh up
eval "$(bash scripts/kafka-cluster.sh env)"
export CHARTER_KAFKA_CLUSTER_BROKERS
export CHARTER_KAFKA_CLUSTER_SCRIPT="$repo/scripts/kafka-cluster.sh"

echo "== Chromium and playwright-core for the catalogue's browser test"
await browser
eval "$(cat "$work/browser.env")"
export CHARTER_BROWSER

echo "== main module tests"
# Two packages stop and restart the shared brokers on purpose
# (storage/kafka's and internal/clustertest's restart and fault tests).
# Every other package runs in parallel with the others (each test uses
# topics and ports of its own); those two then run alone, one at a time,
# so that a broker bounce never lands in another package's assertions.
module="$(go list -m)"
bouncers=("$module/storage/kafka" "$module/internal/clustertest")
mapfile -t others < <(go list ./... | grep -v -x -F -e "${bouncers[0]}" -e "${bouncers[1]}")
go test -count=1 -timeout 25m "${others[@]}"
go test -p 1 -count=1 -timeout 25m "${bouncers[@]}"

echo "== schemathesis: openapi.yaml against a live charter serve, every check"
await schemathesis
# Pinned schemathesis from PyPI into a gitignored venv; any finding fails
# the suite. About 27,500 requests, one to three minutes.
bash scripts/schemathesis.sh

echo "== the interop clients (confluent-kafka and python-schema-registry-client from PyPI, @confluentinc/schemaregistry and @kafkajs/confluent-schema-registry from npm)"
await interop

echo "== real-client conformance (confluent-kafka-go, franz-go, srclient; confluent-kafka for Python and Node.js, @kafkajs/confluent-schema-registry, python-schema-registry-client, against charter serve)"
# CHARTER_INTEROP=required: a missing client fails the run instead of
# skipping TestPythonClient, TestNodeClient, TestKafkaJSClient or
# TestPythonCommunityClient.
(cd conformance && CHARTER_INTEROP=required CGO_ENABLED=1 go test -count=1 -timeout 20m ./...)
