'use strict';
// A data contract: CEL rules that charter stores with the schema and the
// serdes enforce.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const {
  AvroSerializer, AvroDeserializer, JsonSerializer, JsonDeserializer, SerdeType, CelExecutor,
} = require('@confluentinc/schemaregistry');
const { newClient, topicFor, schemaId, plain } = require('../lib/charter');

CelExecutor.register();

const ORDER = JSON.stringify({
  type: 'record', name: 'Order', namespace: 'charter.interop',
  fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }],
});
const JSON_ORDER = JSON.stringify({
  type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'number' } },
  required: ['id', 'amount'],
});

const cel = (name, mode, expr) => ({ name, kind: 'CONDITION', mode, type: 'CEL', expr });

// failedRule matches the error a serde raises when a CEL condition is false:
// the rule's default onFailure action (ERROR) reports the rule by name.
const failedRule = (name, expr) => (err) => {
  assert.ok(err instanceof Error, `want an Error, got ${err}`);
  assert.equal(err.message, `rule ${name} failed: Expr failed: '${expr}'`);
  return true;
};

test('CEL condition on an Avro schema', async (t) => {
  const topic = topicFor(t);
  const subject = `${topic}-value`;
  const ruleSet = { domainRules: [cel('amountPositive', 'WRITE', 'message.amount > 0.0')] };
  const id = await newClient().register(subject, { schemaType: 'AVRO', schema: ORDER, ruleSet });

  // The rule set comes back as it was registered.
  const latest = await newClient().getLatestSchemaMetadata(subject);
  assert.deepEqual(latest.ruleSet, { domainRules: [cel('amountPositive', 'WRITE', 'message.amount > 0.0')] });

  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  const ok = await ser.serialize(topic, { id: 'o-1', amount: 12.5 });
  assert.equal(schemaId(ok), id);
  await assert.rejects(ser.serialize(topic, { id: 'o-2', amount: -3 }), failedRule('amountPositive', 'message.amount > 0.0'));

  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  assert.deepEqual(plain(await deser.deserialize(topic, ok)), { id: 'o-1', amount: 12.5 });
});

// READ conditions are shown on JSON Schema: with this client, a condition
// on a field of a decoded Avro record (an instance of an avsc class) or of
// a Protobuf message never evaluates to false (even `message.units > 0 &&
// false` passes), while a literal `false` does fail; the server returns the
// rule as registered, so this is the client's matter (the Python client
// enforces the same rules on Avro records and Protobuf messages).
test('CEL conditions on write and read of a JSON schema', async (t) => {
  const topic = topicFor(t);
  const ruleSet = {
    domainRules: [
      cel('idPrefixed', 'WRITE', "message.id.startsWith('o-')"),
      cel('amountBelowLimit', 'READ', 'message.amount < 1000.0'),
    ],
  };
  await newClient().register(`${topic}-value`, { schemaType: 'JSON', schema: JSON_ORDER, ruleSet });
  const ser = new JsonSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  const ok = await ser.serialize(topic, { id: 'o-1', amount: 1 });
  await assert.rejects(ser.serialize(topic, { id: 'x-1', amount: 1 }), failedRule('idPrefixed', "message.id.startsWith('o-')"));

  const deser = new JsonDeserializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  assert.deepEqual(await deser.deserialize(topic, ok), { id: 'o-1', amount: 1 });
  // 5000 passes the WRITE rule but not the READ one.
  const big = await ser.serialize(topic, { id: 'o-3', amount: 5000 });
  await assert.rejects(deser.deserialize(topic, big), failedRule('amountBelowLimit', 'message.amount < 1000.0'));
});
