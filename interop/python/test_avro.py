"""Avro through confluent-kafka's AvroSerializer and AvroDeserializer."""

import json
import uuid

import pytest
from confluent_kafka.schema_registry import (
    Metadata,
    MetadataProperties,
    Schema,
    SchemaReference,
    SchemaRegistryError,
    header_schema_id_serializer,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from wire import schema_id

ORDER_V1 = json.dumps({
    "type": "record",
    "name": "Order",
    "namespace": "charter.interop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "double"},
    ],
})

ORDER_V2 = json.dumps({
    "type": "record",
    "name": "Order",
    "namespace": "charter.interop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "note", "type": "string", "default": ""},
    ],
})

MONEY = json.dumps({
    "type": "record",
    "name": "Money",
    "namespace": "charter.interop",
    "fields": [
        {"name": "currency", "type": "string"},
        {"name": "units", "type": "long"},
    ],
})

# Payment names the Money record of another subject: a named-type reference.
PAYMENT = json.dumps({
    "type": "record",
    "name": "Payment",
    "namespace": "charter.interop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "total", "type": "charter.interop.Money"},
    ],
})


def value_ctx(topic):
    return SerializationContext(topic, MessageField.VALUE)


def test_round_trip_auto_registers(client, new_client, topic):
    ser = AvroSerializer(client, ORDER_V1)
    payload = ser({"id": "o-1", "amount": 12.5}, value_ctx(topic))

    latest = new_client().get_latest_version(f"{topic}-value")
    assert latest.version == 1
    assert schema_id(payload) == latest.schema_id
    assert json.loads(latest.schema.schema_str)["name"] == "Order"

    # A consumer knows nothing but the registry: it reads the writer schema by id.
    deser = AvroDeserializer(new_client())
    assert deser(payload, value_ctx(topic)) == {"id": "o-1", "amount": 12.5}


def test_registering_the_same_schema_again_keeps_its_id(client, new_client, topic):
    first = AvroSerializer(client, ORDER_V1)({"id": "a", "amount": 1.0}, value_ctx(topic))
    second = AvroSerializer(new_client(), ORDER_V1)({"id": "b", "amount": 2.0}, value_ctx(topic))
    assert schema_id(first) == schema_id(second)
    assert new_client().get_versions(f"{topic}-value") == [1]


def test_named_type_reference_to_another_subject(client, new_client, topic):
    money_subject = f"{topic}-money"
    money_id = client.register_schema(money_subject, Schema(MONEY, "AVRO"))
    ref = SchemaReference(name="charter.interop.Money", subject=money_subject, version=1)
    payment_id = client.register_schema(f"{topic}-value", Schema(PAYMENT, "AVRO", [ref]))
    assert payment_id != money_id

    got = new_client().get_latest_version(f"{topic}-value")
    assert [(r.name, r.subject, r.version) for r in got.schema.references] == [
        ("charter.interop.Money", money_subject, 1)
    ]

    record = {"id": "p-1", "total": {"currency": "EUR", "units": 1250}}
    ser = AvroSerializer(new_client(), conf={"auto.register.schemas": False, "use.latest.version": True})
    payload = ser(record, value_ctx(topic))
    assert schema_id(payload) == payment_id

    # The deserializer fetches the writer schema by id, then the referenced
    # subject version, to resolve charter.interop.Money.
    assert AvroDeserializer(new_client())(payload, value_ctx(topic)) == record


def test_referenced_schema_is_listed_as_referenced_by(client, topic):
    money_subject = f"{topic}-money"
    client.register_schema(money_subject, Schema(MONEY, "AVRO"))
    ref = SchemaReference(name="charter.interop.Money", subject=money_subject, version=1)
    payment_id = client.register_schema(f"{topic}-value", Schema(PAYMENT, "AVRO", [ref]))
    assert client.get_referenced_by(money_subject, 1) == [payment_id]

    # A referenced version cannot be deleted, with Confluent's text.
    with pytest.raises(SchemaRegistryError) as info:
        client.delete_version(money_subject, 1)
    assert (info.value.http_status_code, info.value.error_code) == (422, 42206)
    assert info.value.error_message == (
        f"One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={money_subject},version=1}}."
    )


def test_use_latest_version(client, new_client, topic):
    subject = f"{topic}-value"
    v1 = client.register_schema(subject, Schema(ORDER_V1, "AVRO"))
    v2 = client.register_schema(subject, Schema(ORDER_V2, "AVRO"))
    assert v1 != v2

    # Without use.latest.version and without auto-registration the serializer
    # looks its own schema up (POST /subjects/{subject}) and writes v1's id.
    looked_up = AvroSerializer(new_client(), ORDER_V1, conf={"auto.register.schemas": False})
    assert schema_id(looked_up({"id": "a", "amount": 1.0}, value_ctx(topic))) == v1

    # With it, the serializer writes with the latest version, v2.
    latest = AvroSerializer(new_client(), conf={"auto.register.schemas": False, "use.latest.version": True})
    payload = latest({"id": "b", "amount": 2.0, "note": "n"}, value_ctx(topic))
    assert schema_id(payload) == v2
    assert AvroDeserializer(new_client())(payload, value_ctx(topic)) == {"id": "b", "amount": 2.0, "note": "n"}

    # A v1 payload read with use.latest.version is resolved to v2: the new
    # field takes its default.
    old = looked_up({"id": "c", "amount": 3.0}, value_ctx(topic))
    reader = AvroDeserializer(new_client(), conf={"use.latest.version": True})
    assert reader(old, value_ctx(topic)) == {"id": "c", "amount": 3.0, "note": ""}


def test_lookup_of_an_unregistered_schema_fails(new_client, topic):
    new_client().register_schema(f"{topic}-value", Schema(ORDER_V1, "AVRO"))
    ser = AvroSerializer(new_client(), ORDER_V2, conf={"auto.register.schemas": False})
    with pytest.raises(SchemaRegistryError) as info:
        ser({"id": "a", "amount": 1.0, "note": ""}, value_ctx(topic))
    assert (info.value.http_status_code, info.value.error_code) == (404, 40403)
    assert info.value.error_message == "Schema not found"


def test_use_latest_with_metadata(client, new_client, topic):
    subject = f"{topic}-value"
    major1 = Metadata(tags=None, properties=MetadataProperties({"app.major": "1"}), sensitive=None)
    major2 = Metadata(tags=None, properties=MetadataProperties({"app.major": "2"}), sensitive=None)
    v1 = client.register_schema(subject, Schema(ORDER_V1, "AVRO", metadata=major1))
    v2 = client.register_schema(subject, Schema(ORDER_V2, "AVRO", metadata=major2))

    found = new_client().get_latest_with_metadata(subject, {"app.major": "1"})
    assert (found.schema_id, found.version) == (v1, 1)
    assert found.schema.metadata.properties.properties == {"app.major": "1"}

    ser = AvroSerializer(
        new_client(), conf={"auto.register.schemas": False, "use.latest.with.metadata": {"app.major": "1"}}
    )
    payload = ser({"id": "a", "amount": 1.0}, value_ctx(topic))
    assert schema_id(payload) == v1

    # A v2 payload read by a consumer pinned to app.major=1 loses the field
    # v1 does not know.
    v2_payload = AvroSerializer(
        new_client(), conf={"auto.register.schemas": False, "use.latest.with.metadata": {"app.major": "2"}}
    )({"id": "b", "amount": 2.0, "note": "dropped"}, value_ctx(topic))
    assert schema_id(v2_payload) == v2
    reader = AvroDeserializer(new_client(), conf={"use.latest.with.metadata": {"app.major": "1"}})
    assert reader(v2_payload, value_ctx(topic)) == {"id": "b", "amount": 2.0}


def test_schema_guid_in_a_header(client, new_client, topic):
    # Confluent Platform 8's header format: the payload is the bare Avro
    # body and the schema's GUID travels in the __value_schema_id header
    # (the magic byte 1, then the 16 bytes of the UUID). The default
    # deserializer reads it and fetches GET /schemas/guids/{guid}.
    headers = []
    ser = AvroSerializer(client, ORDER_V1, conf={"schema.id.serializer": header_schema_id_serializer})
    payload = ser({"id": "h-1", "amount": 4.5}, SerializationContext(topic, MessageField.VALUE, headers))

    registered = new_client().get_latest_version(f"{topic}-value")
    # No prefix: a string of 3 bytes with its length byte, then an 8-byte double.
    assert len(payload) == 12
    assert [name for name, _ in headers] == ["__value_schema_id"]
    value = headers[0][1]
    assert value[0] == 1
    assert uuid.UUID(bytes=bytes(value[1:17])) == uuid.UUID(registered.guid)

    deser = AvroDeserializer(new_client())
    got = deser(payload, SerializationContext(topic, MessageField.VALUE, headers))
    assert got == {"id": "h-1", "amount": 4.5}
