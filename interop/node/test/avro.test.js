'use strict';
// Avro through @confluentinc/schemaregistry's AvroSerializer and
// AvroDeserializer.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { AvroSerializer, AvroDeserializer, SerdeType, HeaderSchemaIdSerializer } = require('@confluentinc/schemaregistry');
const { newClient, topicFor, schemaId, rejectsWith, plain } = require('../lib/charter');

const ORDER_V1 = JSON.stringify({
  type: 'record', name: 'Order', namespace: 'charter.interop',
  fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }],
});
const ORDER_V2 = JSON.stringify({
  type: 'record', name: 'Order', namespace: 'charter.interop',
  fields: [
    { name: 'id', type: 'string' }, { name: 'amount', type: 'double' },
    { name: 'note', type: 'string', default: '' },
  ],
});
const MONEY = JSON.stringify({
  type: 'record', name: 'Money', namespace: 'charter.interop',
  fields: [{ name: 'currency', type: 'string' }, { name: 'units', type: 'long' }],
});
// Payment names the Money record of another subject: a named-type reference.
const PAYMENT = JSON.stringify({
  type: 'record', name: 'Payment', namespace: 'charter.interop',
  fields: [{ name: 'id', type: 'string' }, { name: 'total', type: 'charter.interop.Money' }],
});

const avro = (schema, extra = {}) => ({ schemaType: 'AVRO', schema, ...extra });

test('round trip, the schema inferred from the message and auto-registered', async (t) => {
  const topic = topicFor(t);
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true });
  const payload = await ser.serialize(topic, { id: 'o-1', amount: 12.5 });

  const latest = await newClient().getLatestSchemaMetadata(`${topic}-value`);
  assert.equal(latest.version, 1);
  assert.equal(schemaId(payload), latest.id);

  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, {});
  assert.deepEqual(plain(await deser.deserialize(topic, payload)), { id: 'o-1', amount: 12.5 });
});

test('round trip with the registered schema (use latest version)', async (t) => {
  const topic = topicFor(t);
  const id = await newClient().register(`${topic}-value`, avro(ORDER_V1));
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  const payload = await ser.serialize(topic, { id: 'o-1', amount: 12.5 });
  assert.equal(schemaId(payload), id);
  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, {});
  assert.deepEqual(plain(await deser.deserialize(topic, payload)), { id: 'o-1', amount: 12.5 });
});

test('registering the same schema again keeps its id and version', async (t) => {
  const subject = `${topicFor(t)}-value`;
  const first = await newClient().register(subject, avro(ORDER_V1));
  const spaced = JSON.stringify(JSON.parse(ORDER_V1), null, 2);
  assert.equal(await newClient().register(subject, avro(spaced)), first);
  assert.deepEqual(await newClient().getAllVersions(subject), [1]);
  assert.equal(await newClient().getId(subject, avro(ORDER_V1)), first);
});

test('named-type reference to another subject', async (t) => {
  const topic = topicFor(t);
  const moneySubject = `${topic}-money`;
  const client = newClient();
  await client.register(moneySubject, avro(MONEY));
  const ref = { name: 'charter.interop.Money', subject: moneySubject, version: 1 };
  const paymentId = await client.register(`${topic}-value`, avro(PAYMENT, { references: [ref] }));

  const latest = await newClient().getLatestSchemaMetadata(`${topic}-value`);
  assert.deepEqual(latest.references, [ref]);
  // A referenced version cannot be deleted, with Confluent's text.
  await rejectsWith(newClient().deleteSubjectVersion(moneySubject, 1, false), 422, 42206,
    `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${moneySubject},version=1}.`);

  const record = { id: 'p-1', total: { currency: 'EUR', units: 1250 } };
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  const payload = await ser.serialize(topic, record);
  assert.equal(schemaId(payload), paymentId);

  // The deserializer fetches the writer schema by id, then the referenced
  // subject version, to resolve charter.interop.Money.
  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, {});
  assert.deepEqual(plain(await deser.deserialize(topic, payload)), record);
});

test('use latest version', async (t) => {
  const topic = topicFor(t);
  const subject = `${topic}-value`;
  const v1 = await newClient().register(subject, avro(ORDER_V1));
  const v2 = await newClient().register(subject, avro(ORDER_V2));
  assert.notEqual(v1, v2);

  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  const payload = await ser.serialize(topic, { id: 'b', amount: 2, note: 'n' });
  assert.equal(schemaId(payload), v2);

  // A v1 payload (pinned by id) read with use latest version is resolved to
  // v2: the new field takes its default.
  const old = await new AvroSerializer(newClient(), SerdeType.VALUE, { useSchemaId: v1 })
    .serialize(topic, { id: 'c', amount: 3 });
  assert.equal(schemaId(old), v1);
  const reader = new AvroDeserializer(newClient(), SerdeType.VALUE, { useLatestVersion: true });
  assert.deepEqual(plain(await reader.deserialize(topic, old)), { id: 'c', amount: 3, note: '' });
});

test('use latest with metadata', async (t) => {
  const topic = topicFor(t);
  const subject = `${topic}-value`;
  const v1 = await newClient().register(subject, avro(ORDER_V1, { metadata: { properties: { 'app.major': '1' } } }));
  const v2 = await newClient().register(subject, avro(ORDER_V2, { metadata: { properties: { 'app.major': '2' } } }));

  const found = await newClient().getLatestWithMetadata(subject, { 'app.major': '1' });
  assert.equal(found.id, v1);
  assert.equal(found.version, 1);
  assert.deepEqual(found.metadata.properties, { 'app.major': '1' });

  const pinned1 = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestWithMetadata: { 'app.major': '1' } });
  assert.equal(schemaId(await pinned1.serialize(topic, { id: 'a', amount: 1 })), v1);

  // A v2 payload read by a consumer pinned to app.major=1 loses the field v1
  // does not know.
  const pinned2 = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestWithMetadata: { 'app.major': '2' } });
  const v2payload = await pinned2.serialize(topic, { id: 'b', amount: 2, note: 'dropped' });
  assert.equal(schemaId(v2payload), v2);
  const reader = new AvroDeserializer(newClient(), SerdeType.VALUE, { useLatestWithMetadata: { 'app.major': '1' } });
  assert.deepEqual(plain(await reader.deserialize(topic, v2payload)), { id: 'b', amount: 2 });
});

test('looking up an unregistered schema fails with 40403', async (t) => {
  const subject = `${topicFor(t)}-value`;
  await newClient().register(subject, avro(ORDER_V1));
  await rejectsWith(newClient().getId(subject, avro(ORDER_V2)), 404, 40403, 'Schema not found');
});

test('schema GUID in a header', async (t) => {
  // Confluent Platform 8's header format: the payload is the bare Avro body
  // and the schema's GUID travels in the __value_schema_id header (the magic
  // byte 1, then the 16 bytes of the UUID). The default deserializer reads
  // it and fetches GET /schemas/guids/{guid}.
  const topic = topicFor(t);
  const subject = `${topic}-value`;
  const registered = await newClient().registerFullResponse(subject, avro(ORDER_V1));
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true, schemaIdSerializer: HeaderSchemaIdSerializer });
  const headers = {};
  const payload = await ser.serialize(topic, { id: 'h-1', amount: 4.5 }, headers);

  // No prefix: a string of 3 bytes with its length byte, then an 8-byte double.
  assert.equal(payload.length, 12);
  assert.deepEqual(Object.keys(headers), ['__value_schema_id']);
  const value = headers.__value_schema_id;
  assert.equal(value[0], 1);
  assert.equal(value.subarray(1, 17).toString('hex'), registered.guid.replaceAll('-', ''));

  const deser = new AvroDeserializer(newClient(), SerdeType.VALUE, {});
  assert.deepEqual(plain(await deser.deserialize(topic, payload, headers)), { id: 'h-1', amount: 4.5 });
});
