"""Basic auth (httpx.BasicAuth, the client's auth argument, and credentials
in the URL) against a second charter with --auth=required, started by
TestPythonCommunityClient with an admin principal and an API key."""

import os
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from schema_registry.client import SchemaRegistryClient
from schema_registry.client import schema as sr_schema
from schema_registry.client.errors import ClientError

from test_client import AVRO_V1

AUTH_URL = os.environ.get("CHARTER_AUTH_URL")
USER = os.environ.get("CHARTER_AUTH_USER")
KEY = os.environ.get("CHARTER_AUTH_KEY")

pytestmark = pytest.mark.skipif(not AUTH_URL, reason="CHARTER_AUTH_URL is not set (TestPythonCommunityClient sets it)")


def test_basic_auth(subject):
    client = SchemaRegistryClient(AUTH_URL, auth=httpx.BasicAuth(USER, KEY))
    schema_id = client.register(subject, sr_schema.AvroSchema(AVRO_V1))
    assert client.get_schema(subject).schema_id == schema_id

    # The credentials in the URL, the client's other documented way.
    parts = urlsplit(AUTH_URL)
    in_url = urlunsplit(parts._replace(netloc=f"{USER}:{KEY}@{parts.netloc}"))
    assert SchemaRegistryClient(in_url).get_by_id(schema_id) == sr_schema.AvroSchema(AVRO_V1)


@pytest.mark.parametrize("auth", [None, ("wrong", "key")], ids=["none", "wrong"])
def test_refused(subject, auth):
    client = SchemaRegistryClient(AUTH_URL, auth=httpx.BasicAuth(*auth) if auth else None)
    # register() asks POST /subjects/{subject} first, whose 401 it raises as
    # "Unable to get version of a schema" with the registry's body.
    with pytest.raises(ClientError) as info:
        client.register(subject, sr_schema.AvroSchema(AVRO_V1))
    assert info.value.http_code == 401
    assert info.value.server_traceback["error_code"] == 40101
    with pytest.raises(ClientError) as info:
        client.get_subjects()
    assert info.value.http_code == 401
