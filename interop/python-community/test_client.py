"""python-schema-registry-client's SchemaRegistryClient against a live charter.

Avro (AvroSchema) and JSON Schema (JsonSchema): register, get by id, get by
version and latest, versions, check_version, compatibility tests and levels,
deletes, and what the client returns for a subject, version or id the
registry does not hold (it turns most 404s into None, [] or False, and
raises ClientError with the HTTP status and the registry's error body for
the rest).
"""

import pytest
from schema_registry.client import schema as sr_schema
from schema_registry.client.errors import ClientError
from schema_registry.client.utils import SchemaVersion

# The schemas are written in the key order the registry answers with
# (Avro's own: type, name, namespace, fields), so the client's AvroSchema
# equality, which hashes the parsed schema's JSON text, holds for what it
# reads back.
AVRO_V1 = {
    "type": "record",
    "name": "User",
    "namespace": "com.acme",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
}
# v2 adds a field with a default: BACKWARD accepts it.
AVRO_V2 = {
    "type": "record",
    "name": "User",
    "namespace": "com.acme",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": "string", "default": ""},
    ],
}
# A field without a default: a v3 reader cannot read v1 data.
AVRO_INCOMPATIBLE = {
    "type": "record",
    "name": "User",
    "namespace": "com.acme",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "country", "type": "string"},
    ],
}

JSON_V1 = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name"],
}
# v2 no longer requires name: it reads everything v1 wrote.
JSON_V2 = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
}
# An optional property added to an open content model: Confluent's strict
# JSON Schema rule (OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL) refuses it
# under BACKWARD.
JSON_INCOMPATIBLE = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "email": {"type": "string"}},
    "required": ["name"],
}

KINDS = {
    "avro": (sr_schema.AvroSchema, "AVRO", AVRO_V1, AVRO_V2, AVRO_INCOMPATIBLE),
    "json": (sr_schema.JsonSchema, "JSON", JSON_V1, JSON_V2, JSON_INCOMPATIBLE),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    cls, type_name, v1, v2, bad = KINDS[request.param]
    return type_name, cls(v1), cls(v2), cls(bad)


def error_code(err):
    """The registry's error_code in a ClientError's server body."""
    return err.server_traceback["error_code"]


def test_register_and_read_back(client, new_client, subject, kind):
    type_name, v1, _, _ = kind
    schema_id = client.register(subject, v1)
    assert isinstance(schema_id, int) and schema_id > 0

    fresh = new_client()
    by_id = fresh.get_by_id(schema_id)
    assert by_id == v1
    assert by_id.schema_type == type_name
    assert by_id.raw_schema == v1.raw_schema

    latest = fresh.get_schema(subject)
    assert isinstance(latest, SchemaVersion)
    assert (latest.subject, latest.schema_id, latest.version) == (subject, schema_id, 1)
    assert latest.schema == v1
    first = new_client().get_schema(subject, version=1)
    assert (first.schema_id, first.version) == (schema_id, 1)

    assert fresh.get_versions(subject) == [1]
    # Ids are shared across subjects (another test registers the same
    # schema elsewhere), so the pairs hold this subject's among others.
    pairs = fresh.get_schema_subject_versions(schema_id)
    assert (subject, 1) in [(p.subject, p.version) for p in pairs]
    assert subject in fresh.get_subjects()


def test_register_again_is_the_same_id(client, new_client, subject, kind):
    _, v1, _, _ = kind
    schema_id = client.register(subject, v1)
    # The same client answers from its cache; a fresh one asks the registry
    # (POST /subjects/{subject}, which register() tries first).
    assert client.register(subject, v1) == schema_id
    fresh = new_client()
    found = fresh.check_version(subject, v1)
    assert (found.schema_id, found.version) == (schema_id, 1)
    assert new_client().register(subject, v1) == schema_id
    assert fresh.get_versions(subject) == [1]


def test_register_as_text(client, new_client, subject, kind):
    """register() takes the schema as a JSON string and a schema_type."""
    type_name, v1, _, _ = kind
    import json

    schema_id = client.register(subject, json.dumps(v1.raw_schema), schema_type=type_name)
    assert new_client().get_by_id(schema_id) == v1


def test_versions_and_compatibility(client, new_client, subject, kind):
    _, v1, v2, bad = kind
    id1 = client.register(subject, v1)

    assert client.test_compatibility(subject, v2) is True
    assert client.test_compatibility(subject, bad) is False
    verbose = client.test_compatibility(subject, bad, verbose=True)
    assert verbose["is_compatible"] is False
    assert verbose["messages"], verbose

    id2 = client.register(subject, v2)
    assert id2 != id1
    latest = new_client().get_schema(subject)
    assert (latest.schema_id, latest.version) == (id2, 2)
    assert new_client().get_versions(subject) == [1, 2]
    # Against a given version.
    assert client.test_compatibility(subject, bad, version=1) is False
    assert client.test_compatibility(subject, v2, version=2) is True

    with pytest.raises(ClientError) as info:
        client.register(subject, bad)
    assert info.value.http_code == 409
    assert info.value.message == "Incompatible schema"
    assert error_code(info.value) == 40901
    assert info.value.server_traceback["message"].startswith(
        "Schema being registered is incompatible with an earlier schema for subject"
    )


def test_compatibility_levels(client, subject, kind):
    _, v1, _, bad = kind
    client.register(subject, v1)

    # A subject without a level of its own: GET /config/{subject} is 404
    # 40408, which the client raises.
    with pytest.raises(ClientError) as info:
        client.get_compatibility(subject)
    assert info.value.http_code == 404
    assert error_code(info.value) == 40408
    assert info.value.server_traceback["message"] == (
        f"Subject '{subject}' does not have subject-level compatibility configured"
    )

    assert client.update_compatibility("NONE", subject) is True
    assert client.get_compatibility(subject) == "NONE"
    assert client.test_compatibility(subject, bad) is True
    assert client.register(subject, bad) > 0

    assert client.update_compatibility("FULL_TRANSITIVE", subject) is True
    assert client.get_compatibility(subject) == "FULL_TRANSITIVE"

    # The client's own check, before any request.
    with pytest.raises(ClientError) as info:
        client.update_compatibility("SIDEWAYS", subject)
    assert info.value.http_code is None


def test_global_compatibility(client):
    """Without a subject the client calls /config/ (its URL template with
    the subject left empty), which Confluent serves as /config."""
    assert client.get_compatibility() == "BACKWARD"
    assert client.update_compatibility("FULL") is True
    try:
        assert client.get_compatibility() == "FULL"
    finally:
        assert client.update_compatibility("BACKWARD") is True
    assert client.get_compatibility() == "BACKWARD"


def test_deletes(client, new_client, subject, kind):
    _, v1, v2, _ = kind
    id1 = client.register(subject, v1)
    client.register(subject, v2)

    assert client.delete_version(subject, 2) == 2
    assert new_client().get_versions(subject) == [1]
    # A version deleted already is a 4xx, which the client turns into None.
    assert client.delete_version(subject, 2) is None

    assert client.delete_subject(subject) == [1]
    assert subject not in client.get_subjects()
    assert new_client().get_schema(subject) is None
    # Soft-deleted: the id still answers (records written with it decode).
    assert new_client().get_by_id(id1) == v1
    # Deleting it again is 404 40404, which the client turns into [].
    assert client.delete_subject(subject) == []


def test_missing_subject_version_and_id(client, subject):
    missing = subject + "-missing"
    # Each of these is the registry's 404 (40401, 40402, 40403) turned into
    # the client's empty answer.
    assert client.get_schema(missing) is None
    assert client.get_schema(missing, version=3) is None
    assert client.get_versions(missing) == []
    assert client.delete_subject(missing) == []
    assert client.delete_version(missing, 1) is None
    assert client.check_version(missing, sr_schema.AvroSchema(AVRO_V1)) is None
    assert client.get_by_id(987654) is None
    assert client.get_schema_subject_versions(987654) is None
    # A compatibility test against a version the subject lacks is 404
    # 40402 (False); against "latest" of a subject nobody registered it is
    # Confluent's is_compatible true (nothing to be incompatible with).
    assert client.test_compatibility(missing, sr_schema.AvroSchema(AVRO_V1), version=1) is False
    assert client.test_compatibility(missing, sr_schema.AvroSchema(AVRO_V1)) is True

    client.register(subject, sr_schema.AvroSchema(AVRO_V1))
    assert client.get_schema(subject, version=7) is None
    # A schema the subject does not hold: 40403, None.
    assert client.check_version(subject, sr_schema.AvroSchema(AVRO_V2)) is None
    # A version that is no version: 422 42202, which the client logs and
    # turns into None.
    assert client.get_schema(subject, version="first") is None

    with pytest.raises(ClientError) as info:
        client.get_compatibility(missing)
    assert info.value.http_code == 404
    assert error_code(info.value) == 40408


def test_invalid_schema(client, subject):
    """A schema the registry cannot parse is 422 42201, raised as "Invalid
    schema". (The client parses AvroSchema and JsonSchema itself with
    fastavro and jsonschema, which refuse most bad schemas before any
    request; fastavro does not check names, the registry does.)"""
    bad_name = sr_schema.AvroSchema(
        {
            "type": "record",
            "name": "Paint",
            "namespace": "com.acme",
            "fields": [{"name": "coat-count", "type": "int"}],
        }
    )
    with pytest.raises(ClientError) as info:
        client.register(subject, bad_name)
    assert info.value.http_code == 422
    assert info.value.message == "Invalid schema"
    assert error_code(info.value) == 42201
    assert "coat-count" in info.value.server_traceback["message"]


def test_no_references(client, subject):
    """The client sends no references: register(), check_version() and
    test_compatibility() post only schema and schemaType. So a JSON Schema
    whose $ref names another subject's schema cannot be registered through
    it (the registry cannot resolve the $ref: 422 42201), a client
    limitation; a $ref inside the schema itself works."""
    client.register(subject + "-address", sr_schema.JsonSchema({"$id": "address.json", "type": "object"}))
    external = sr_schema.JsonSchema({"type": "object", "properties": {"shipTo": {"$ref": "address.json"}}})
    with pytest.raises(ClientError) as info:
        client.register(subject, external)
    assert info.value.http_code == 422
    assert error_code(info.value) == 42201

    internal = sr_schema.JsonSchema(
        {
            "type": "object",
            "definitions": {"address": {"type": "object", "properties": {"street": {"type": "string"}}}},
            "properties": {"shipTo": {"$ref": "#/definitions/address"}},
        }
    )
    assert client.register(subject, internal) > 0


def test_subject_with_a_slash(client, subject):
    """The client puts the subject into its URL unescaped, so a subject
    with a '/' becomes another path, which the registry (like Confluent's
    router) answers with its 404 body, error_code 404: a client limitation
    (confluent-kafka and srclient escape it as %2F and work)."""
    slashed = "team/" + subject
    with pytest.raises(ClientError) as info:
        client.register(slashed, sr_schema.AvroSchema(AVRO_V1))
    assert info.value.http_code == 404
    assert info.value.message == "Unable to register schema"
    assert info.value.server_traceback == {"error_code": 404, "message": "HTTP 404 Not Found"}
    # Escaped by the caller, the name reaches the registry as one subject.
    escaped = slashed.replace("/", "%2F")
    schema_id = client.register(escaped, sr_schema.AvroSchema(AVRO_V1))
    assert slashed in client.get_subjects()
    assert client.get_schema(escaped).schema_id == schema_id
