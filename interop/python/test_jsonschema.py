"""JSON Schema through confluent-kafka's JSONSerializer and JSONDeserializer."""

import json

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

from wire import schema_id

ORDER = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
    },
    "required": ["id", "amount"],
})

ADDRESS = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
    },
    "required": ["street", "city"],
})

# Customer's address is a $ref to the schema of another subject.
CUSTOMER = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Customer",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "address.json"},
    },
    "required": ["name", "address"],
})


def value_ctx(topic):
    return SerializationContext(topic, MessageField.VALUE)


def test_round_trip_auto_registers(client, new_client, topic):
    ser = JSONSerializer(ORDER, client)
    payload = ser({"id": "o-1", "amount": 12.5}, value_ctx(topic))

    latest = new_client().get_latest_version(f"{topic}-value")
    assert latest.schema.schema_type == "JSON"
    assert schema_id(payload) == latest.schema_id
    assert json.loads(payload[5:]) == {"id": "o-1", "amount": 12.5}

    # No schema given: the deserializer validates against the writer schema
    # it reads from charter by id.
    deser = JSONDeserializer(None, schema_registry_client=new_client())
    assert deser(payload, value_ctx(topic)) == {"id": "o-1", "amount": 12.5}


def test_serializer_validates_against_the_schema(client, topic):
    ser = JSONSerializer(ORDER, client)
    with pytest.raises(SerializationError):
        ser({"id": "o-1", "amount": -1}, value_ctx(topic))


def test_ref_to_another_subject(client, new_client, topic):
    address_subject = f"{topic}-address"
    client.register_schema(address_subject, Schema(ADDRESS, "JSON"))
    ref = SchemaReference(name="address.json", subject=address_subject, version=1)
    customer_id = client.register_schema(f"{topic}-value", Schema(CUSTOMER, "JSON", [ref]))

    ser = JSONSerializer(None, new_client(), conf={"auto.register.schemas": False, "use.latest.version": True})
    customer = {"name": "Ada", "address": {"street": "1 Main St", "city": "Springfield"}}
    payload = ser(customer, value_ctx(topic))
    assert schema_id(payload) == customer_id

    deser = JSONDeserializer(None, schema_registry_client=new_client())
    assert deser(payload, value_ctx(topic)) == customer

    # The referenced schema is enforced: an address without its city fails,
    # which it could only do if the serializer resolved address.json.
    with pytest.raises(SerializationError):
        ser({"name": "Bob", "address": {"street": "2 Main St"}}, value_ctx(topic))
