'use strict';
// JSON Schema through @kafkajs/confluent-schema-registry: register (a
// subject is required: the client derives none for JSON), encode/decode with
// the client's Ajv validation on both sides, a $ref to a schema of another
// subject, and a record written by another client.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SchemaType, COMPATIBILITY } = require('@kafkajs/confluent-schema-registry');
const { newRegistry, uniq, wire, frame, rest } = require('../lib/charter');

const ORDER = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order', type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'number' } },
  required: ['id', 'amount'],
};
const json = (schema, references) => ({ type: SchemaType.JSON, schema: JSON.stringify(schema), references });

test('register with a subject and compatibility, encode and decode', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(json(ORDER), { subject, compatibility: COMPATIBILITY.FORWARD });
  assert.deepEqual(await rest('GET', `/config/${subject}`), { status: 200, body: { compatibilityLevel: 'FORWARD' } });
  const stored = await rest('GET', `/schemas/ids/${id}`);
  assert.equal(stored.body.schemaType, 'JSON');
  assert.equal(await registry.getLatestSchemaId(subject), id);

  const record = { id: 'o-1', amount: 12.5 };
  const payload = await registry.encode(id, record);
  const { id: wireId, body } = wire(payload);
  assert.equal(wireId, id);
  assert.deepEqual(JSON.parse(body.toString()), record);
  assert.deepEqual(await newRegistry().decode(payload), record);
});

test('without a subject the client refuses to register JSON Schema (it derives none)', async () => {
  await assert.rejects(newRegistry().register(json(ORDER)), { name: 'ConfluentSchemaRegistryError', message: 'not implemented yet' });
});

test('a record the schema refuses is not encoded, and is refused on decode', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(json(ORDER), { subject });
  await assert.rejects(registry.encode(id, { id: 'o-1' }), { name: 'ConfluentSchemaRegistryValidationError' });
  // Another producer's record without "amount", under the same id.
  const bad = frame(id, Buffer.from(JSON.stringify({ id: 'o-1' })));
  await assert.rejects(newRegistry().decode(bad), { name: 'ConfluentSchemaRegistryValidationError' });
});

test('decode a record another client wrote: the schema registered over plain HTTP', async (t) => {
  const subject = `${uniq(t)}-value`;
  const res = await rest('POST', `/subjects/${subject}/versions`, { schemaType: 'JSON', schema: JSON.stringify(ORDER) });
  assert.equal(res.status, 200);
  const payload = frame(res.body.id, Buffer.from('{"id":"other","amount":-1}'));
  assert.deepEqual(await newRegistry().decode(payload), { id: 'other', amount: -1 });
});

test('a $ref to a schema of another subject, which the client adds to Ajv by its $id', async (t) => {
  const name = uniq(t);
  const money = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://charter.example/money.json',
    type: 'object',
    properties: { currency: { type: 'string' }, units: { type: 'integer' } },
    required: ['currency', 'units'],
  };
  const payment = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { id: { type: 'string' }, total: { $ref: 'https://charter.example/money.json' } },
    required: ['id', 'total'],
  };
  const registry = newRegistry();
  const moneySubject = `${name}-money`;
  await registry.register(json(money), { subject: moneySubject });
  const refs = [{ name: 'https://charter.example/money.json', subject: moneySubject, version: 1 }];
  const { id } = await registry.register(json(payment, refs), { subject: `${name}-value` });
  assert.deepEqual((await rest('GET', `/schemas/ids/${id}`)).body.references, refs);

  const record = { id: 'p-1', total: { currency: 'EUR', units: 1250 } };
  const payload = await registry.encode(id, record);
  assert.deepEqual(await newRegistry().decode(payload), record);
  // The referenced schema's rules apply: units must be an integer.
  await assert.rejects(newRegistry().encode(id, { id: 'p-2', total: { currency: 'EUR', units: 1.5 } }), {
    name: 'ConfluentSchemaRegistryValidationError',
  });
});
