"""confluent-kafka's asyncio client and serdes (AsyncSchemaRegistryClient,
AsyncAvroSerializer, AsyncJSONDeserializer, ...) against the same charter."""

import asyncio
import json

from confluent_kafka.schema_registry import AsyncSchemaRegistryClient, Schema, SchemaReference
from confluent_kafka.schema_registry.avro import AsyncAvroDeserializer, AsyncAvroSerializer
from confluent_kafka.schema_registry.json_schema import AsyncJSONDeserializer, AsyncJSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from test_avro import MONEY, ORDER_V1, PAYMENT
from test_jsonschema import ADDRESS, CUSTOMER
from wire import schema_id


def run(coro):
    return asyncio.run(coro)


def test_avro_round_trip_with_a_reference(url, topic):
    async def scenario():
        async with AsyncSchemaRegistryClient({"url": url}) as client, \
                AsyncSchemaRegistryClient({"url": url}) as reader:
            ctx = SerializationContext(topic, MessageField.VALUE)
            payload = await (await AsyncAvroSerializer(client, ORDER_V1))({"id": "a-1", "amount": 2.5}, ctx)
            assert schema_id(payload) == (await reader.get_latest_version(f"{topic}-value")).schema_id
            assert await (await AsyncAvroDeserializer(reader))(payload, ctx) == {"id": "a-1", "amount": 2.5}

            money = f"{topic}-money"
            await client.register_schema(money, Schema(MONEY, "AVRO"))
            ref = SchemaReference(name="charter.interop.Money", subject=money, version=1)
            payment_id = await client.register_schema(f"{topic}-payment-value", Schema(PAYMENT, "AVRO", [ref]))
            pctx = SerializationContext(f"{topic}-payment", MessageField.VALUE)
            ser = await AsyncAvroSerializer(client, conf={"auto.register.schemas": False, "use.latest.version": True})
            record = {"id": "p-1", "total": {"currency": "EUR", "units": 7}}
            payload = await ser(record, pctx)
            assert schema_id(payload) == payment_id
            # The reader has not seen Money yet: it fetches the reference.
            assert await (await AsyncAvroDeserializer(reader))(payload, pctx) == record

    run(scenario())


def test_json_ref_to_another_subject(url, topic):
    async def scenario():
        async with AsyncSchemaRegistryClient({"url": url}) as client:
            await client.register_schema(f"{topic}-address", Schema(ADDRESS, "JSON"))
            ref = SchemaReference(name="address.json", subject=f"{topic}-address", version=1)
            await client.register_schema(f"{topic}-value", Schema(CUSTOMER, "JSON", [ref]))
            ctx = SerializationContext(topic, MessageField.VALUE)
            ser = await AsyncJSONSerializer(None, client, conf={"auto.register.schemas": False, "use.latest.version": True})
            customer = {"name": "Ada", "address": {"street": "1 Main St", "city": "Springfield"}}
            payload = await ser(customer, ctx)
            assert json.loads(payload[5:]) == customer
            deser = await AsyncJSONDeserializer(None, schema_registry_client=client)
            assert await deser(payload, ctx) == customer

    run(scenario())
