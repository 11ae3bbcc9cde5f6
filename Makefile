# The two commands a fresh machine needs:
#   make run    runs the server on the embedded file log (127.0.0.1:8081)
#   make test   runs every test, starting a real Kafka broker first
.PHONY: run test build unit vet

run:
	go run ./cmd/charter serve

test:
	bash scripts/test.sh

build:
	go build -o bin/charter ./cmd/charter

unit:
	go test ./...

vet:
	gofmt -l . | (! grep .) && go vet ./...
