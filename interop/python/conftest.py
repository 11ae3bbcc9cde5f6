"""Fixtures shared by the confluent-kafka tests against a live charter."""

import os
import re
import uuid

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient


@pytest.fixture(scope="session")
def url():
    """The charter under test, started by conformance/interop_test.go."""
    value = os.environ.get("CHARTER_URL")
    if not value:
        pytest.fail("CHARTER_URL is not set: run these tests through `go test -run TestPythonClient ./` in conformance/")
    return value


@pytest.fixture
def new_client(url):
    """Returns a factory of SchemaRegistryClient instances.

    Each client has its own caches, so a test that must see what the server
    answers (not what an earlier call cached) takes a fresh one.
    """
    clients = []

    def make():
        client = SchemaRegistryClient({"url": url})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(new_client):
    return new_client()


@pytest.fixture
def topic(request):
    """A topic name no other test uses, so subjects never collide."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return f"py-{name}-{uuid.uuid4().hex[:8]}"


# test_encryption.py needs what conformance/interop_encryption_test.go
# prepares; the plain interop run (TestPythonClient) leaves it out.
collect_ignore = [] if os.environ.get("CHARTER_ENC_DIR") else ["test_encryption.py"]
