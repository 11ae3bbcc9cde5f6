"""Field level encryption between confluent-kafka's encryption executor and
charter's Go serde (contracts/encrypt), through charter's DEK registry.

Run by conformance/interop_encryption_test.go (TestPythonFieldEncryption),
which registers the schemas, writes what charter's Go serializer encrypted
to $CHARTER_ENC_DIR/go.bin before this runs, and decrypts what this writes
to $CHARTER_ENC_DIR/py.bin after. conftest.py leaves this file out of runs
without CHARTER_ENC_DIR.
"""

import os

from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import FieldEncryptionExecutor
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import LocalKmsDriver
from confluent_kafka.serialization import MessageField, SerializationContext

from wire import schema_id

LocalKmsDriver.register()

# The local KMS secret charter's side uses too.
RULE_CONF = {"secret": "interop-local-kms-secret"}


def enc_dir():
    return os.environ["CHARTER_ENC_DIR"]


def rules():
    """A rule registry of its own, so no other test's serdes see the executor."""
    registry = RuleRegistry()
    registry.register_executor(FieldEncryptionExecutor())
    return registry


def value_ctx(topic):
    return SerializationContext(topic, MessageField.VALUE)


def test_python_decrypts_what_charter_encrypted(new_client):
    with open(os.path.join(enc_dir(), "go.bin"), "rb") as f:
        payload = f.read()
    assert b"123-45-6789" not in payload, "plaintext on the wire"
    deser = AvroDeserializer(new_client(), rule_conf=RULE_CONF, rule_registry=rules())
    got = deser(payload, value_ctx("pyenc-go"))
    assert got == {"id": "from-go", "ssn": "123-45-6789", "age": 41}


def test_charter_decrypts_what_python_encrypts(new_client):
    ser = AvroSerializer(new_client(), conf={"auto.register.schemas": False, "use.latest.version": True},
                         rule_conf=RULE_CONF, rule_registry=rules())
    payload = ser({"id": "from-py", "ssn": "987-65-4321", "age": 42}, value_ctx("pyenc-py"))
    assert schema_id(payload) > 0
    assert b"987-65-4321" not in payload, "plaintext on the wire"
    # The Go side checks that the field holds base64 of a ciphertext, then
    # decrypts it.
    with open(os.path.join(enc_dir(), "py.bin"), "wb") as f:
        f.write(payload)
