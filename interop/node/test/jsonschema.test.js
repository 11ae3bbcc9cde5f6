'use strict';
// JSON Schema through @confluentinc/schemaregistry's JsonSerializer and
// JsonDeserializer.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { JsonSerializer, JsonDeserializer, SerdeType, SerializationError } = require('@confluentinc/schemaregistry');
const { newClient, topicFor, schemaId } = require('../lib/charter');

const ORDER = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
  required: ['id', 'amount'],
});
const ADDRESS = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { street: { type: 'string' }, city: { type: 'string' } },
  required: ['street', 'city'],
});
// Customer's address is a $ref to the schema of another subject.
const CUSTOMER = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  properties: { name: { type: 'string' }, address: { $ref: 'address.json' } },
  required: ['name', 'address'],
});

const json = (schema, extra = {}) => ({ schemaType: 'JSON', schema, ...extra });

test('round trip, validated on both sides', async (t) => {
  const topic = topicFor(t);
  const id = await newClient().register(`${topic}-value`, json(ORDER));
  const ser = new JsonSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true, validate: true });
  const payload = await ser.serialize(topic, { id: 'o-1', amount: 12.5 });
  assert.equal(schemaId(payload), id);
  assert.deepEqual(JSON.parse(payload.subarray(5).toString()), { id: 'o-1', amount: 12.5 });

  const deser = new JsonDeserializer(newClient(), SerdeType.VALUE, { validate: true });
  assert.deepEqual(await deser.deserialize(topic, payload), { id: 'o-1', amount: 12.5 });

  await assert.rejects(ser.serialize(topic, { id: 'o-2', amount: -1 }), SerializationError);
});

test('round trip, the schema auto-registered', async (t) => {
  const topic = topicFor(t);
  const ser = new JsonSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true });
  const payload = await ser.serialize(topic, { id: 'o-1', amount: 12.5 });
  const latest = await newClient().getLatestSchemaMetadata(`${topic}-value`);
  assert.equal(latest.schemaType, 'JSON');
  assert.equal(schemaId(payload), latest.id);
  const deser = new JsonDeserializer(newClient(), SerdeType.VALUE, { validate: true });
  assert.deepEqual(await deser.deserialize(topic, payload), { id: 'o-1', amount: 12.5 });
});

test('$ref to another subject', async (t) => {
  const topic = topicFor(t);
  const addressSubject = `${topic}-address`;
  const client = newClient();
  await client.register(addressSubject, json(ADDRESS));
  const ref = { name: 'address.json', subject: addressSubject, version: 1 };
  const customerId = await client.register(`${topic}-value`, json(CUSTOMER, { references: [ref] }));

  const ser = new JsonSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true, validate: true });
  const customer = { name: 'Ada', address: { street: '1 Main St', city: 'Springfield' } };
  const payload = await ser.serialize(topic, customer);
  assert.equal(schemaId(payload), customerId);

  const deser = new JsonDeserializer(newClient(), SerdeType.VALUE, { validate: true });
  assert.deepEqual(await deser.deserialize(topic, payload), customer);

  // The referenced schema is enforced: an address without its city fails,
  // which it could only do if the serializer resolved address.json.
  await assert.rejects(ser.serialize(topic, { name: 'Bob', address: { street: '2 Main St' } }), SerializationError);
});
