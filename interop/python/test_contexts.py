"""Schema contexts through confluent-kafka's SchemaRegistryClient and its
Avro serdes: context-qualified subjects (":.ctx:name") with ids of their
own, a client whose URL is /contexts/{context}, context configs, and a
context-unaware deserializer that finds a context's schema."""

import json
import uuid

import pytest
import requests
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from wire import schema_id

ORDER_A = json.dumps({"type": "record", "name": "CtxOrderA", "fields": [{"name": "id", "type": "string"}]})
ORDER_B = json.dumps({"type": "record", "name": "CtxOrderB", "fields": [{"name": "id", "type": "string"}]})


@pytest.fixture
def context():
    """A context no other test uses: its ids start at 1."""
    return f".py{uuid.uuid4().hex[:10]}"


def test_qualified_subjects_have_their_own_ids(client, new_client, topic, context):
    qualified = f":{context}:{topic}-value"
    first = client.register_schema(qualified, Schema(ORDER_A, "AVRO"))
    assert first == 1
    reader = new_client()
    assert json.loads(reader.get_schema(first, subject_name=qualified).schema_str) == json.loads(ORDER_A)
    latest = reader.get_latest_version(qualified)
    assert (latest.schema_id, latest.version, latest.subject) == (1, 1, qualified)
    assert qualified in reader.get_subjects()
    assert context in reader.get_contexts()
    # The same schema in another context gets that context's own id.
    other = f":{context}x:{topic}-value"
    assert client.register_schema(other, Schema(ORDER_B, "AVRO")) == 1
    assert json.loads(new_client().get_schema(1, subject_name=other).schema_str) == json.loads(ORDER_B)


def test_a_client_on_the_context_url_works_in_the_context(url, new_client, topic, context):
    scoped = SchemaRegistryClient({"url": f"{url}/contexts/{context}"})
    try:
        sid = scoped.register_schema(f"{topic}-value", Schema(ORDER_A, "AVRO"))
        assert sid == 1
        plain = new_client()
        assert plain.get_latest_version(f":{context}:{topic}-value").schema_id == 1
        assert scoped.get_subjects() == [f":{context}:{topic}-value"]
        # The context's config, as the context's client and by its name.
        scoped.set_compatibility(level="NONE")
        assert plain.get_compatibility(f":{context}:") == "NONE"
        scoped.register_schema(f"{topic}-value", Schema(ORDER_B, "AVRO"))
        assert scoped.get_version(f"{topic}-value", 2).schema_id == 2
    finally:
        scoped.close()


def test_serdes_in_a_context(client, new_client, topic, context):
    def in_context(ctx, record_name):
        return f":{context}:{ctx.topic}-value"

    ser = AvroSerializer(client, ORDER_A, conf={"subject.name.strategy": in_context})
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = ser({"id": "o-1"}, ctx)
    assert schema_id(payload) == 1
    assert new_client().get_latest_version(f":{context}:{topic}-value").schema_id == 1
    # A deserializer with the same strategy asks for the id in the context.
    same = AvroDeserializer(new_client(), conf={"subject.name.strategy": in_context})
    assert same(payload, ctx) == {"id": "o-1"}
    # One with the default strategy knows no context: the unqualified
    # subject is looked up in every context, as Confluent does.
    plain = AvroDeserializer(new_client())
    assert plain(payload, ctx) == {"id": "o-1"}


def test_deleting_a_context(url, client, topic, context):
    qualified = f":{context}:{topic}-value"
    client.register_schema(qualified, Schema(ORDER_A, "AVRO"))
    r = requests.delete(f"{url}/contexts/{context}")
    assert (r.status_code, r.json()["error_code"]) == (422, 42211)
    assert r.json()["message"] == f"The specified context ':{context}:' is not empty."
    client.delete_subject(qualified)
    client.delete_subject(qualified, permanent=True)
    assert context in client.get_contexts()
    assert requests.delete(f"{url}/contexts/{context}").status_code == 204
    assert context not in client.get_contexts()
    with pytest.raises(SchemaRegistryError) as excinfo:
        client.get_latest_version(qualified)
    assert (excinfo.value.http_status_code, excinfo.value.error_code) == (404, 40401)
