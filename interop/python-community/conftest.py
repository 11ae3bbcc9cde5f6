"""Fixtures shared by the python-schema-registry-client tests against a live charter."""

import os
import re
import uuid

import pytest
from schema_registry.client import SchemaRegistryClient


@pytest.fixture(scope="session")
def url():
    """The charter under test, started by conformance/interop_test.go."""
    value = os.environ.get("CHARTER_URL")
    if not value:
        pytest.fail(
            "CHARTER_URL is not set: run these tests through "
            "`go test -run TestPythonCommunityClient ./` in conformance/"
        )
    return value


@pytest.fixture
def new_client(url):
    """Returns a factory of clients; each has its own caches, so a test that
    must see what the server answers (not what an earlier call cached) takes
    a fresh one."""
    return lambda: SchemaRegistryClient(url)


@pytest.fixture
def client(new_client):
    return new_client()


@pytest.fixture
def subject(request):
    """A subject name no other test uses."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return f"pyc-{name}-{uuid.uuid4().hex[:8]}"
