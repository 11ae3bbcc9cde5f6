"""Registry operations through confluent-kafka's SchemaRegistryClient:
normalize, modes, soft and permanent deletes, compatibility."""

import json

import pytest
from confluent_kafka.schema_registry import Metadata, MetadataProperties, Schema, SchemaRegistryError, ServerConfig
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

RECORD_V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]})
RECORD_V2 = json.dumps({"type": "record", "name": "R", "fields": [
    {"name": "a", "type": "string"}, {"name": "b", "type": "int", "default": 0}]})
# Adds a field without a default: not BACKWARD compatible with V1.
RECORD_BREAKING = json.dumps({"type": "record", "name": "R", "fields": [
    {"name": "a", "type": "string"}, {"name": "c", "type": "int"}]})

# Two declarations of one Protobuf message: the same fields in another order.
PROTO_DECLARED = """syntax = "proto3";
package charter.interop.norm;

message Point {
  int32 y = 2;
  int32 x = 1;
}
"""
PROTO_SORTED = """syntax = "proto3";
package charter.interop.norm;

message Point {
  int32 x = 1;
  int32 y = 2;
}
"""


def registry_error(excinfo):
    return excinfo.value.http_status_code, excinfo.value.error_code


def test_normalize(client, new_client, topic):
    subject = f"{topic}-value"
    registered = client.register_schema(subject, Schema(PROTO_DECLARED, "PROTOBUF"), normalize_schemas=True)

    found = new_client().lookup_schema(subject, Schema(PROTO_SORTED, "PROTOBUF"), normalize_schemas=True)
    assert (found.schema_id, found.version) == (registered, 1)

    # Without normalize the other declaration order is another schema.
    with pytest.raises(SchemaRegistryError) as info:
        new_client().lookup_schema(subject, Schema(PROTO_SORTED, "PROTOBUF"))
    assert registry_error(info) == (404, 40403)

    # Registering the equivalent text with normalize is idempotent.
    again = new_client().register_schema(subject, Schema(PROTO_SORTED, "PROTOBUF"), normalize_schemas=True)
    assert again == registered
    assert new_client().get_versions(subject) == [1]


def test_normalize_in_the_serializer(client, new_client, topic):
    ser = AvroSerializer(client, RECORD_V1, conf={"normalize.schemas": True})
    payload = ser({"a": "x"}, SerializationContext(topic, MessageField.VALUE))
    latest = new_client().get_latest_version(f"{topic}-value")
    assert int.from_bytes(payload[1:5], "big") == latest.schema_id


def test_readonly_mode_refuses_registration(client, new_client, topic):
    subject = f"{topic}-value"
    id1 = client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert new_client().get_mode(subject) == "READONLY"

    with pytest.raises(SchemaRegistryError) as info:
        new_client().register_schema(subject, Schema(RECORD_V2, "AVRO"))
    assert registry_error(info) == (422, 42205)
    # Confluent's text: the subject, then its context (empty: the default).
    assert info.value.error_message == f"Subject {subject} in context  is in read-only mode"

    # A serializer that auto-registers gets the same refusal.
    ser = AvroSerializer(new_client(), RECORD_V2)
    with pytest.raises(SchemaRegistryError) as info:
        ser({"a": "x", "b": 1}, SerializationContext(topic, MessageField.VALUE))
    assert registry_error(info) == (422, 42205)

    # Reads still work in READONLY, and so does a serializer that
    # auto-registers a schema the subject already holds: charter, like
    # Confluent, answers it with its id before looking at the mode.
    assert new_client().get_latest_version(subject).version == 1
    held = AvroSerializer(new_client(), RECORD_V1)({"a": "x"}, SerializationContext(topic, MessageField.VALUE))
    assert int.from_bytes(held[1:5], "big") == id1

    # A READONLY subject's config is read-only too.
    with pytest.raises(SchemaRegistryError) as info:
        new_client().set_compatibility(subject, "NONE")
    assert registry_error(info) == (422, 42205)

    assert client.update_mode(subject, "READWRITE") == "READWRITE"
    new_client().register_schema(subject, Schema(RECORD_V2, "AVRO"))
    assert new_client().get_versions(subject) == [1, 2]


def test_readonly_global_mode_is_inherited_and_deleting_the_subject_mode_reverts(client, new_client, topic):
    subject = f"{topic}-value"
    assert client.get_global_mode() == "READWRITE"
    client.update_mode(subject, "READONLY")
    client.delete_mode(subject)
    # With its own mode gone the subject has none (Confluent's 40409 without
    # defaultToGlobal) and follows the global READWRITE again.
    with pytest.raises(SchemaRegistryError) as info:
        new_client().get_mode(subject)
    assert registry_error(info) == (404, 40409)
    new_client().register_schema(subject, Schema(RECORD_V1, "AVRO"))


def test_soft_and_permanent_deletes(client, new_client, topic):
    subject = f"{topic}-value"
    id1 = client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    client.register_schema(subject, Schema(RECORD_V2, "AVRO"))

    # A permanent delete needs a soft delete first.
    with pytest.raises(SchemaRegistryError) as info:
        new_client().delete_version(subject, 1, permanent=True)
    assert registry_error(info) == (404, 40407)

    assert client.delete_version(subject, 1) == 1
    reader = new_client()
    assert reader.get_versions(subject) == [2]
    with pytest.raises(SchemaRegistryError) as info:
        reader.get_version(subject, 1)
    assert registry_error(info) == (404, 40402)
    # The soft-deleted version is still readable with deleted=true, and its
    # schema by id.
    assert reader.get_version(subject, 1, deleted=True).schema_id == id1
    assert reader.get_schema(id1).schema_str is not None

    assert client.delete_version(subject, 1, permanent=True) == 1
    with pytest.raises(SchemaRegistryError) as info:
        new_client().get_version(subject, 1, deleted=True)
    assert registry_error(info) == (404, 40402)

    # Soft-delete the subject, then permanently.
    assert new_client().delete_subject(subject) == [2]
    assert subject not in new_client().get_subjects()
    assert subject in new_client().get_subjects(deleted=True)
    with pytest.raises(SchemaRegistryError) as info:
        new_client().get_latest_version(subject)
    assert registry_error(info) == (404, 40401)
    assert new_client().delete_subject(subject, permanent=True) == [2]
    assert subject not in new_client().get_subjects(deleted=True)


def test_permanent_subject_delete_needs_a_soft_delete_first(client, topic):
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    with pytest.raises(SchemaRegistryError) as info:
        client.delete_subject(subject, permanent=True)
    assert registry_error(info) == (404, 40405)


def test_compatibility(client, new_client, topic):
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    assert client.test_compatibility(subject, Schema(RECORD_V2, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(RECORD_BREAKING, "AVRO")) is False

    with pytest.raises(SchemaRegistryError) as info:
        new_client().register_schema(subject, Schema(RECORD_BREAKING, "AVRO"))
    assert registry_error(info) == (409, 40901)

    assert client.set_compatibility(subject, "NONE") == {"compatibility": "NONE"}
    assert new_client().get_compatibility(subject) == "NONE"
    new_client().register_schema(subject, Schema(RECORD_BREAKING, "AVRO"))


def test_reads_by_id_and_listings(client, new_client, topic):
    first, second = f"{topic}-a", f"{topic}-b"
    # A record no other test registers, so its id names these two subjects only.
    record = json.dumps({"type": "record", "name": "R" + topic.rsplit("-", 1)[1], "fields": [{"name": "a", "type": "string"}]})
    schema_id_ = client.register_schema(first, Schema(record, "AVRO"))
    assert client.register_schema(second, Schema(record, "AVRO")) == schema_id_

    reader = new_client()
    assert sorted(reader.get_schema_types()) == ["AVRO", "JSON", "PROTOBUF"]
    assert sorted(reader.get_subjects_by_schema_id(schema_id_)) == [first, second]
    assert sorted((v.subject, v.version) for v in reader.get_schema_versions(schema_id_)) == [(first, 1), (second, 1)]
    assert json.loads(reader.get_schema(schema_id_, subject_name=first).schema_str) == json.loads(record)
    assert "." in reader.get_contexts()
    assert reader.get_version(first, "latest").schema_id == schema_id_
    assert reader.get_subjects(subject_prefix=topic) == [first, second]

    # A lookup finds a soft-deleted version only when asked to.
    reader.delete_version(second, 1)
    with pytest.raises(SchemaRegistryError) as info:
        new_client().lookup_schema(second, Schema(record, "AVRO"))
    assert registry_error(info) == (404, 40401)
    found = new_client().lookup_schema(second, Schema(record, "AVRO"), deleted=True)
    assert (found.schema_id, found.version) == (schema_id_, 1)


def test_compatibility_against_all_versions(client, topic):
    subject = f"{topic}-value"
    client.set_compatibility(subject, "NONE")
    client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    client.register_schema(subject, Schema(RECORD_BREAKING, "AVRO"))
    client.set_compatibility(subject, "BACKWARD_TRANSITIVE")
    # V2 (a and b with a default) reads V1 data but not RECORD_BREAKING's c.
    assert client.test_compatibility(subject, Schema(RECORD_V2, "AVRO"), version=1) is True
    assert client.test_compatibility_all_versions(subject, Schema(RECORD_V2, "AVRO")) is True
    assert client.test_compatibility_all_versions(subject, Schema(RECORD_V1, "AVRO")) is True
    dropped = json.dumps({"type": "record", "name": "R", "fields": [{"name": "z", "type": "string"}]})
    assert client.test_compatibility_all_versions(subject, Schema(dropped, "AVRO")) is False


def test_default_and_override_metadata_from_the_config(client, new_client, topic):
    subject = f"{topic}-value"
    client.set_config(subject, ServerConfig(
        default_metadata=Metadata(tags=None, properties=MetadataProperties({"owner": "team-a"}), sensitive=None),
        override_metadata=Metadata(tags=None, properties=MetadataProperties({"domain": "orders"}), sensitive=None),
    ))
    client.register_schema(subject, Schema(RECORD_V1, "AVRO"))
    got = new_client().get_latest_version(subject).schema.metadata.properties.properties
    assert got == {"owner": "team-a", "domain": "orders"}
