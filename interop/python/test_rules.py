"""A data contract: CEL rules that charter stores with the schema and the
serdes (with the `rules` extra) enforce."""

import json

import pytest
from confluent_kafka.schema_registry import Rule, RuleKind, RuleMode, RuleSet, Schema
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.schema_registry.serde import RuleConditionError
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

from test_protobuf import TEXT_CLASSES, TEXT_MONEY
from wire import schema_id

CelExecutor.register()

ORDER = json.dumps({
    "type": "record",
    "name": "Order",
    "namespace": "charter.interop",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}],
})

JSON_ORDER = json.dumps({
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["id", "amount"],
})


def cel(name, mode, expr):
    return Rule(name=name, doc=None, kind=RuleKind.CONDITION, mode=mode, type="CEL", tags=None,
                params=None, expr=expr, on_success=None, on_failure=None, disabled=None)


RULES = RuleSet(migration_rules=None, domain_rules=[
    cel("amountPositive", RuleMode.WRITE, "message.amount > 0.0"),
    cel("amountBelowLimit", RuleMode.READ, "message.amount < 1000.0"),
])


def assert_rule_failed(info, expr):
    """The serde raises SerializationError caused by the failed condition."""
    cause = info.value.__cause__
    assert isinstance(cause, RuleConditionError), repr(cause)
    assert str(cause) == f"Rule expr failed: {expr}"


def value_ctx(topic):
    return SerializationContext(topic, MessageField.VALUE)


def test_cel_condition_on_write_and_read(client, new_client, topic):
    subject = f"{topic}-value"
    registered = client.register_schema(subject, Schema(ORDER, "AVRO", rule_set=RULES))

    # The rule set comes back as it was registered.
    latest = new_client().get_latest_version(subject)
    assert [r.name for r in latest.schema.rule_set.domain_rules] == ["amountPositive", "amountBelowLimit"]
    assert latest.schema.rule_set.domain_rules[0].expr == "message.amount > 0.0"

    ser = AvroSerializer(new_client(), conf={"auto.register.schemas": False, "use.latest.version": True})
    ok = ser({"id": "o-1", "amount": 12.5}, value_ctx(topic))
    assert schema_id(ok) == registered

    with pytest.raises(SerializationError) as info:
        ser({"id": "o-2", "amount": -3.0}, value_ctx(topic))
    assert_rule_failed(info, "message.amount > 0.0")

    deser = AvroDeserializer(new_client(), conf={"use.latest.version": True})
    assert deser(ok, value_ctx(topic)) == {"id": "o-1", "amount": 12.5}

    # 5000 passes the WRITE rule but not the READ one.
    big = ser({"id": "o-3", "amount": 5000.0}, value_ctx(topic))
    with pytest.raises(SerializationError) as info:
        deser(big, value_ctx(topic))
    assert_rule_failed(info, "message.amount < 1000.0")


def test_cel_condition_on_a_json_schema(client, new_client, topic):
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(JSON_ORDER, "JSON", rule_set=RuleSet(
        migration_rules=None, domain_rules=[cel("idPrefixed", RuleMode.WRITE, "message.id.startsWith('o-')")])))
    ser = JSONSerializer(None, new_client(), conf={"auto.register.schemas": False, "use.latest.version": True})
    ser({"id": "o-1", "amount": 1}, value_ctx(topic))
    with pytest.raises(SerializationError) as info:
        ser({"id": "x-1", "amount": 1}, value_ctx(topic))
    assert_rule_failed(info, "message.id.startsWith('o-')")


def test_cel_condition_on_a_protobuf_schema(client, new_client, topic):
    Money = TEXT_CLASSES["charter.interop.text.Money"]
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(TEXT_MONEY, "PROTOBUF", rule_set=RuleSet(
        migration_rules=None, domain_rules=[cel("unitsPositive", RuleMode.WRITE, "message.units > 0")])))
    ser = ProtobufSerializer(Money, new_client(), {
        "auto.register.schemas": False, "use.latest.version": True, "use.deprecated.format": False,
    })
    ser(Money(currency="EUR", units=5), value_ctx(topic))
    with pytest.raises(SerializationError) as info:
        ser(Money(currency="EUR", units=0), value_ctx(topic))
    assert_rule_failed(info, "message.units > 0")
