"""The client's AvroMessageSerializer and JsonMessageSerializer against a
live charter: encode_record_with_schema registers the schema and frames the
record (magic byte 0, the 4-byte big-endian id, the body), and a fresh
serializer on a fresh client decodes it by fetching the schema by id."""

import json
import struct

import fastavro
import pytest
from schema_registry.client import SchemaRegistryClient
from schema_registry.client import schema as sr_schema
from schema_registry.serializers import AvroMessageSerializer, JsonMessageSerializer
from schema_registry.serializers.errors import SerializerError

from test_client import AVRO_V1, AVRO_V2, JSON_V1


def frame(message):
    magic, schema_id = struct.unpack(">bI", message[:5])
    return magic, schema_id, message[5:]


def test_avro_round_trip(url, subject):
    client = SchemaRegistryClient(url)
    record = {"name": "Ada", "age": 36}
    message = AvroMessageSerializer(client).encode_record_with_schema(subject, sr_schema.AvroSchema(AVRO_V1), record)

    magic, schema_id, body = frame(message)
    assert magic == 0
    assert schema_id == client.get_schema(subject).schema_id
    # The body is plain Avro binary of the registered schema.
    import io

    assert fastavro.schemaless_reader(io.BytesIO(body), fastavro.parse_schema(AVRO_V1)) == record

    decoded = AvroMessageSerializer(SchemaRegistryClient(url)).decode_message(message)
    assert decoded == record


def test_avro_reader_schema(url, subject):
    """A consumer with a newer reader schema resolves v1 records to it."""
    client = SchemaRegistryClient(url)
    message = AvroMessageSerializer(client).encode_record_with_schema(
        subject, sr_schema.AvroSchema(AVRO_V1), {"name": "Ada", "age": 36}
    )
    reader = AvroMessageSerializer(SchemaRegistryClient(url), reader_schema=sr_schema.AvroSchema(AVRO_V2).schema)
    assert reader.decode_message(message) == {"name": "Ada", "age": 36, "email": ""}


def test_avro_by_schema_id(url, subject):
    """encode_record_with_schema_id fetches the writer schema by id."""
    client = SchemaRegistryClient(url)
    schema_id = client.register(subject, sr_schema.AvroSchema(AVRO_V2))
    serializer = AvroMessageSerializer(SchemaRegistryClient(url))
    message = serializer.encode_record_with_schema_id(schema_id, {"name": "Bo", "age": 7, "email": "bo@x"})
    assert frame(message)[1] == schema_id
    assert AvroMessageSerializer(SchemaRegistryClient(url)).decode_message(message) == {
        "name": "Bo",
        "age": 7,
        "email": "bo@x",
    }


def test_json_round_trip(url, subject):
    client = SchemaRegistryClient(url)
    record = {"name": "Ada", "age": 36}
    message = JsonMessageSerializer(client).encode_record_with_schema(subject, sr_schema.JsonSchema(JSON_V1), record)

    magic, schema_id, body = frame(message)
    assert magic == 0
    assert schema_id == client.get_schema(subject).schema_id
    assert json.loads(body) == record

    assert JsonMessageSerializer(SchemaRegistryClient(url)).decode_message(message) == record
    # The serializer validates against the schema it fetched.
    with pytest.raises(Exception):
        JsonMessageSerializer(client).encode_record_with_schema(subject, sr_schema.JsonSchema(JSON_V1), {"age": 1})


def test_unknown_schema_id(url):
    """A record naming an id the registry does not hold: the client's
    get_by_id is None on 404, which the serializer raises as SerializerError."""
    message = struct.pack(">bI", 0, 987654) + b"\x02a"
    with pytest.raises(SerializerError) as info:
        AvroMessageSerializer(SchemaRegistryClient(url)).decode_message(message)
    assert "987654" in str(info.value)
    with pytest.raises(SerializerError):
        AvroMessageSerializer(SchemaRegistryClient(url)).encode_record_with_schema_id(987654, {"name": "x", "age": 1})
