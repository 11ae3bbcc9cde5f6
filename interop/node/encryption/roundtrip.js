'use strict';
// Field level encryption between @confluentinc/schemaregistry's encryption
// executor and charter's Go serde (contracts/encrypt), through charter's DEK
// registry. Run by conformance/interop_encryption_test.go
// (TestNodeFieldEncryption), which registers the schemas, writes what
// charter's Go serializer encrypted to $CHARTER_ENC_DIR/go.bin before this
// runs and decrypts what this writes to $CHARTER_ENC_DIR/node.bin after. The
// file name keeps it out of the plain `node --test` run.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  AvroSerializer, AvroDeserializer, SerdeType, RuleRegistry, FieldEncryptionExecutor, LocalKmsDriver,
} = require('@confluentinc/schemaregistry');
const { newClient, schemaId, plain } = require('../lib/charter');

LocalKmsDriver.register();

// The local KMS secret charter's side uses too.
const ruleConfig = { secret: 'interop-local-kms-secret' };

function encDir() {
  const dir = process.env.CHARTER_ENC_DIR;
  if (!dir) {
    throw new Error('CHARTER_ENC_DIR is not set: run through `go test -run TestNodeFieldEncryption ./` in conformance/');
  }
  return dir;
}

// rules is a rule registry of its own, so no other serde sees the executor.
function rules() {
  const registry = new RuleRegistry();
  registry.registerExecutor(new FieldEncryptionExecutor());
  return registry;
}

test('Node decrypts what charter encrypted', async () => {
  const payload = fs.readFileSync(path.join(encDir(), 'go.bin'));
  assert.ok(!payload.includes(Buffer.from('123-45-6789')), 'plaintext on the wire');
  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, { ruleConfig }, rules());
  const got = plain(await deser.deserialize('nodeenc-go', payload));
  assert.deepEqual(got, { id: 'from-go', ssn: '123-45-6789', age: 41 });
});

test('charter decrypts what Node encrypts', async () => {
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true, ruleConfig }, rules());
  const payload = await ser.serialize('nodeenc-node', { id: 'from-node', ssn: '987-65-4321', age: 42 });
  assert.ok(schemaId(payload) > 0);
  assert.ok(!payload.includes(Buffer.from('987-65-4321')), 'plaintext on the wire');
  // The Go side checks that the field holds base64 of a ciphertext, then
  // decrypts it.
  fs.writeFileSync(path.join(encDir(), 'node.bin'), payload);
});
