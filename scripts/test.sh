#!/usr/bin/env bash
# test.sh runs charter's whole test suite: vet, the main module's tests
# (with a real Kafka broker from scripts/kafka.sh), and the real-client
# conformance module, which also drives a live `charter serve` with
# Confluent's Python and Node.js clients (installed here by
# scripts/interop-setup.sh). It is what `make test` and CI run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [ ! -d ../shared/testdata/confluent ]; then
	echo "test.sh: ../shared/testdata/confluent is missing; the conformance vectors must sit beside the repository" >&2
	exit 1
fi

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

echo "== Chromium and playwright-core for the catalogue's browser test"
eval "$(bash scripts/browser-setup.sh)"
export CHARTER_BROWSER

echo "== starting a real Kafka broker"
bash scripts/kafka.sh up
trap 'bash scripts/kafka.sh down || true' EXIT
eval "$(bash scripts/kafka.sh env)"
export CHARTER_KAFKA_BROKERS
export CHARTER_KAFKA_SCRIPT="$repo/scripts/kafka.sh"

echo "== starting a three-broker Kafka cluster (replication factor 3, min.insync.replicas=2)"
bash scripts/kafka-cluster.sh up
trap 'bash scripts/kafka-cluster.sh down || true; bash scripts/kafka.sh down || true' EXIT
eval "$(bash scripts/kafka-cluster.sh env)"
export CHARTER_KAFKA_CLUSTER_BROKERS
export CHARTER_KAFKA_CLUSTER_SCRIPT="$repo/scripts/kafka-cluster.sh"

echo "== main module tests"
# -p 1: the packages share one broker, and some tests stop and restart it on
# purpose; running packages one at a time keeps one package's broker bounce
# out of another package's assertions.
go test -p 1 -count=1 -timeout 25m ./...

echo "== schemathesis: openapi.yaml against a live charter serve, every check"
# Pinned schemathesis from PyPI into a gitignored venv; any finding fails
# the suite. About 27,500 requests, one to three minutes.
bash scripts/schemathesis.sh

echo "== installing the interop clients (confluent-kafka from PyPI, @confluentinc/schemaregistry from npm)"
bash scripts/interop-setup.sh

echo "== real-client conformance (confluent-kafka-go, franz-go; confluent-kafka for Python and Node.js against charter serve)"
# CHARTER_INTEROP=required: a missing client fails the run instead of
# skipping TestPythonClient or TestNodeClient.
(cd conformance && CHARTER_INTEROP=required CGO_ENABLED=1 go test -count=1 -timeout 20m ./...)
