"""Protobuf through confluent-kafka's ProtobufSerializer and ProtobufDeserializer,
including a message whose file imports another file (a schema reference the
deserializer fetches with GET /subjects/{s}/versions/{v}?format=serialized)."""

import base64

from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2

import protos
from wire import schema_id

# The serializer registers money.proto under a subject named after the file
# (the default reference.subject.name.strategy).
MONEY_FILE = "charter/interop/py_money.proto"
ORDER_FILE = "charter/interop/py_order.proto"
CLASSES = protos.classes(
    protos.money_file(MONEY_FILE, "charter.interop.py"),
    protos.order_file(ORDER_FILE, "charter.interop.py", MONEY_FILE),
)
Order = CLASSES["charter.interop.py.Order"]
Money = CLASSES["charter.interop.py.Money"]

# The same two files as .proto text, registered by the application itself.
TEXT_MONEY = """syntax = "proto3";
package charter.interop.text;

message Money {
  string currency = 1;
  int64 units = 2;
}
"""
TEXT_ORDER = """syntax = "proto3";
package charter.interop.text;

import "charter/interop/text_money.proto";

message Order {
  string id = 1;
  Money total = 2;
  repeated string tags = 3;
}
"""
TEXT_CLASSES = protos.classes(
    protos.money_file("charter/interop/text_money.proto", "charter.interop.text"),
    protos.order_file("charter/interop/text_order.proto", "charter.interop.text",
                      "charter/interop/text_money.proto"),
)
TextOrder = TEXT_CLASSES["charter.interop.text.Order"]


def value_ctx(topic):
    return SerializationContext(topic, MessageField.VALUE)


def test_round_trip_with_an_imported_file(client, new_client, topic):
    ser = ProtobufSerializer(Order, client, {"use.deprecated.format": False})
    order = Order(id="o-1", total=Money(currency="EUR", units=1250), tags=["a", "b"])
    payload = ser(order, value_ctx(topic))

    reader = new_client()
    latest = reader.get_latest_version(f"{topic}-value")
    assert schema_id(payload) == latest.schema_id
    assert latest.schema.schema_type == "PROTOBUF"
    assert [(r.name, r.subject, r.version) for r in latest.schema.references] == [(MONEY_FILE, MONEY_FILE, 1)]
    # Order is the first message of its file: the message-index list is [0],
    # written as the single byte 0.
    assert payload[5] == 0

    deser = ProtobufDeserializer(Order, {"use.deprecated.format": False}, schema_registry_client=new_client())
    got = deser(payload, value_ctx(topic))
    assert got == order
    assert got.total.currency == "EUR"


def test_text_schemas_registered_by_the_application(client, new_client, topic):
    money_subject = f"{topic}-money"
    client.register_schema(money_subject, Schema(TEXT_MONEY, "PROTOBUF"))
    ref = SchemaReference(name="charter/interop/text_money.proto", subject=money_subject, version=1)
    order_id = client.register_schema(f"{topic}-value", Schema(TEXT_ORDER, "PROTOBUF", [ref]))

    ser = ProtobufSerializer(TextOrder, new_client(), {
        "auto.register.schemas": False, "use.latest.version": True, "use.deprecated.format": False,
    })
    order = TextOrder(id="o-2", tags=["x"])
    order.total.currency = "USD"
    order.total.units = 99
    payload = ser(order, value_ctx(topic))
    assert schema_id(payload) == order_id

    # The deserializer reads the writer schema and its reference in the
    # serialized form (base64 FileDescriptorProto) charter renders from text.
    deser = ProtobufDeserializer(TextOrder, {"use.deprecated.format": False}, schema_registry_client=new_client())
    assert deser(payload, value_ctx(topic)) == order


def test_serialized_format_of_a_text_schema(client, topic):
    subject = f"{topic}-money"
    client.register_schema(subject, Schema(TEXT_MONEY, "PROTOBUF"))
    got = client.get_version(subject, 1, fmt="serialized")
    fd = descriptor_pb2.FileDescriptorProto()
    fd.ParseFromString(base64.standard_b64decode(got.schema.schema_str))
    assert fd.package == "charter.interop.text"
    assert [m.name for m in fd.message_type] == ["Money"]
    assert [(f.name, f.number) for f in fd.message_type[0].field] == [("currency", 1), ("units", 2)]


def test_round_trip_single_file(client, new_client, topic):
    ser = ProtobufSerializer(Money, client, {"use.deprecated.format": False})
    money = Money(currency="JPY", units=500)
    payload = ser(money, value_ctx(topic))
    assert schema_id(payload) == new_client().get_latest_version(f"{topic}-value").schema_id
    deser = ProtobufDeserializer(Money, {"use.deprecated.format": False}, schema_registry_client=new_client())
    assert deser(payload, value_ctx(topic)) == money


EVENT_CLASSES = protos.classes(*protos.event_file("charter/interop/py_event.proto", "charter.interop.pyevent"))
Event = EVENT_CLASSES["charter.interop.pyevent.Event"]


def test_well_known_import_needs_no_reference(client, new_client, topic):
    ser = ProtobufSerializer(Event, client, {"use.deprecated.format": False})
    event = Event(id="e-1")
    event.at.seconds = 1_700_000_000
    event.at.nanos = 5
    payload = ser(event, value_ctx(topic))

    latest = new_client().get_latest_version(f"{topic}-value")
    assert schema_id(payload) == latest.schema_id
    assert latest.schema.references == []

    deser = ProtobufDeserializer(Event, {"use.deprecated.format": False}, schema_registry_client=new_client())
    got = deser(payload, value_ctx(topic))
    assert (got.id, got.at.seconds, got.at.nanos) == ("e-1", 1_700_000_000, 5)
