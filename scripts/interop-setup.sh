#!/usr/bin/env bash
# interop-setup.sh installs the real clients of the interop matrix, pinned:
#   python  Confluent's confluent-kafka with its serdes and rules, from PyPI,
#           into the virtual environment interop/python/.venv
#   node    Confluent's @confluentinc/schemaregistry, from npm, into
#           interop/node/node_modules (npm ci, from package-lock.json)
#   kafkajs the community @kafkajs/confluent-schema-registry, from npm, into
#           interop/kafkajs/node_modules (npm ci, from package-lock.json)
#   python-community
#           the community python-schema-registry-client, from PyPI, into
#           the virtual environment interop/python-community/.venv
# With no argument (or all) it installs all four. conformance/interop_test.go runs them
# against a live `charter serve`; scripts/test.sh calls this first.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

python_setup() { # [dir]: a virtual environment in dir/.venv from dir/requirements.txt
	local dir="${1:-$repo/interop/python}"
	if [ ! -x "$dir/.venv/bin/python" ]; then
		python3 -m venv "$dir/.venv"
	fi
	"$dir/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
}

node_setup() {
	(cd "$repo/interop/node" && npm ci --no-audit --no-fund --loglevel=error)
}

kafkajs_setup() {
	(cd "$repo/interop/kafkajs" && npm ci --no-audit --no-fund --loglevel=error)
}

case "${1:-all}" in
python) python_setup ;;
node) node_setup ;;
kafkajs) kafkajs_setup ;;
python-community) python_setup "$repo/interop/python-community" ;;
all)
	python_setup
	node_setup
	kafkajs_setup
	python_setup "$repo/interop/python-community"
	;;
*)
	echo "usage: $0 [python|node|kafkajs|python-community|all]" >&2
	exit 2
	;;
esac
