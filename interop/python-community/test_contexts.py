"""A client whose URL is a schema context's (/contexts/{context}): the
client joins its relative paths onto that URL, so every call stays in the
context, unqualified."""

from schema_registry.client import SchemaRegistryClient
from schema_registry.client import schema as sr_schema

from test_client import AVRO_V1, AVRO_V2


def test_context_url(url, subject):
    scoped = SchemaRegistryClient(url + "/contexts/.pyc")
    schema_id = scoped.register(subject, sr_schema.AvroSchema(AVRO_V1))
    assert scoped.get_by_id(schema_id) == sr_schema.AvroSchema(AVRO_V1)
    assert scoped.test_compatibility(subject, sr_schema.AvroSchema(AVRO_V2)) is True
    assert scoped.update_compatibility("NONE", subject) is True
    assert scoped.get_compatibility(subject) == "NONE"

    default = SchemaRegistryClient(url)
    qualified = f":.pyc:{subject}"
    latest = default.get_schema(qualified)
    assert (latest.schema_id, latest.version) == (schema_id, 1)
    assert default.get_compatibility(qualified) == "NONE"
    assert qualified in scoped.get_subjects()
    assert subject not in default.get_subjects()
