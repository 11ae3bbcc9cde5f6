"""The client's AsyncSchemaRegistryClient (httpx.AsyncClient) against a live
charter, driven with asyncio.run: the same requests as the sync client."""

import asyncio

from schema_registry.client import AsyncSchemaRegistryClient
from schema_registry.client import schema as sr_schema

from test_client import AVRO_V1, AVRO_V2, JSON_V1


def test_async_lifecycle(url, subject):
    async def run():
        client = AsyncSchemaRegistryClient(url)
        id1 = await client.register(subject, sr_schema.AvroSchema(AVRO_V1))
        assert await client.test_compatibility(subject, sr_schema.AvroSchema(AVRO_V2)) is True
        id2 = await client.register(subject, sr_schema.AvroSchema(AVRO_V2))
        fresh = AsyncSchemaRegistryClient(url)
        assert await fresh.get_by_id(id1) == sr_schema.AvroSchema(AVRO_V1)
        latest = await fresh.get_schema(subject)
        assert (latest.schema_id, latest.version) == (id2, 2)
        assert await fresh.get_versions(subject) == [1, 2]
        assert await fresh.update_compatibility("FORWARD", subject) is True
        assert await fresh.get_compatibility(subject) == "FORWARD"
        assert await fresh.delete_subject(subject) == [1, 2]
        assert await fresh.get_schema(subject) is None

        json_subject = subject + "-json"
        jid = await client.register(json_subject, sr_schema.JsonSchema(JSON_V1))
        got = await AsyncSchemaRegistryClient(url).get_by_id(jid)
        assert got.schema_type == "JSON" and got.raw_schema == JSON_V1

    asyncio.run(run())
