'use strict';
// What a kafkajs consumer meets over a subject's life: old records decoded
// after their subject or version was deleted, lookups by a reformatted
// schema, nested references, and a Protobuf well-known type.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { newRegistry, uniq, rejectsWith, rest, plain } = require('../lib/charter');

const order = (extraFields = [], namespace = 'charter.interop') => ({
  type: 'record', name: 'Order', namespace,
  fields: [{ name: 'id', type: 'string' }, ...extraFields],
});
const avro = (schema, references) => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema), references });

test('records stay decodable after their subject is soft-deleted; a permanent delete is 404', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  // A schema of this subject alone: an id other subjects also hold outlives a permanent delete.
  const { id } = await registry.register(avro(order([], uniq(t).replace(/-/g, '_'))), { subject });
  const payload = await registry.encode(id, { id: 'o-1' });

  assert.equal((await rest('DELETE', `/subjects/${subject}`)).status, 200);
  // The id still answers (Confluent looks ids up among deleted schemas too).
  assert.deepEqual(plain(await newRegistry().decode(payload)), { id: 'o-1' });
  await rejectsWith(newRegistry().getLatestSchemaId(subject), 404, `Subject '${subject}' not found.`);
  await rejectsWith(newRegistry().getRegistryId(subject, 1), 404, `Subject '${subject}' not found.`);

  assert.equal((await rest('DELETE', `/subjects/${subject}?permanent=true`)).status, 200);
  await rejectsWith(newRegistry().decode(payload), 404, `Schema ${id} not found`);
});

test('a soft-deleted version: its id decodes, getRegistryId is 404, latest is the one before', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const v1 = await registry.register(avro(order()), { subject });
  const v2 = await registry.register(avro(order([{ name: 'note', type: 'string', default: '' }])), { subject });
  const payload = await registry.encode(v2.id, { id: 'o-2', note: 'n' });
  assert.equal((await rest('DELETE', `/subjects/${subject}/versions/2`)).status, 200);
  assert.deepEqual(plain(await newRegistry().decode(payload)), { id: 'o-2', note: 'n' });
  await rejectsWith(newRegistry().getRegistryId(subject, 2), 404, `Version 2 not found.`);
  assert.equal(await newRegistry().getLatestSchemaId(subject), v1.id);
  // Registering it again brings back the same id under a new version.
  assert.equal((await registry.register(avro(order([{ name: 'note', type: 'string', default: '' }])), { subject })).id, v2.id);
  assert.equal(await newRegistry().getRegistryId(subject, 3), v2.id);
});

test('getRegistryIdBySchema finds a schema written with other whitespace and key order', async (t) => {
  const subject = `${uniq(t)}-value`;
  const { id } = await newRegistry().register(avro(order()), { subject });
  const reformatted = `{ "namespace": "charter.interop", "fields": [ { "type": "string", "name": "id" } ],
    "name": "Order", "type": "record" }`;
  assert.equal(await newRegistry().getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: reformatted }), id);
});

test('a reference of a reference (Avro), resolved recursively by the client', async (t) => {
  const name = uniq(t);
  const currency = { type: 'enum', name: 'Currency', namespace: 'charter.interop', symbols: ['EUR', 'USD'] };
  const money = {
    type: 'record', name: 'Money', namespace: 'charter.interop',
    fields: [{ name: 'currency', type: 'charter.interop.Currency' }, { name: 'units', type: 'long' }],
  };
  const payment = {
    type: 'record', name: 'Payment', namespace: 'charter.interop',
    fields: [{ name: 'id', type: 'string' }, { name: 'total', type: 'charter.interop.Money' }],
  };
  const registry = newRegistry();
  await registry.register(avro(currency), { subject: `${name}-currency` });
  await registry.register(avro(money, [{ name: 'charter.interop.Currency', subject: `${name}-currency`, version: 1 }]), { subject: `${name}-money` });
  const { id } = await registry.register(
    avro(payment, [{ name: 'charter.interop.Money', subject: `${name}-money`, version: 1 }]),
    { subject: `${name}-value` },
  );
  const record = { id: 'p-1', total: { currency: 'USD', units: 7 } };
  const payload = await registry.encode(id, record);
  assert.deepEqual(plain(await newRegistry().decode(payload)), record);
});

// A client limitation: the client parses a schema and its references with
// protobufjs.parse, which does not load google/protobuf/*.proto, so a
// well-known type that Confluent's clients register without a reference
// (as charter accepts it) cannot be encoded by this client. The
// workaround that works: register the well-known file's text under a
// subject of its own and reference it, which charter accepts as Confluent
// does.
const TIMESTAMP_USER = `syntax = "proto3";
package charter.interop;

import "google/protobuf/timestamp.proto";

message Event {
  string id = 1;
  google.protobuf.Timestamp at = 2;
}
`;

test('a Protobuf well-known type import without a reference: registered, but the client cannot encode it', async (t) => {
  const subject = `${uniq(t)}-value`;
  const { id } = await newRegistry().register({ type: SchemaType.PROTOBUF, schema: TIMESTAMP_USER }, { subject });
  assert.equal((await rest('GET', `/schemas/ids/${id}`)).body.references, undefined);
  await assert.rejects(newRegistry().encode(id, { id: 'e-1', at: { seconds: 1700000000, nanos: 5 } }),
    /no such Type or Enum 'google\.protobuf\.Timestamp'/);
});

test('a Protobuf well-known type given as a reference to its own subject: encoded and decoded', async (t) => {
  const name = uniq(t);
  const timestamp = `syntax = "proto3";
package google.protobuf;

message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;
  const registry = newRegistry();
  await registry.register({ type: SchemaType.PROTOBUF, schema: timestamp }, { subject: `${name}-timestamp` });
  const refs = [{ name: 'google/protobuf/timestamp.proto', subject: `${name}-timestamp`, version: 1 }];
  const { id } = await registry.register({ type: SchemaType.PROTOBUF, schema: TIMESTAMP_USER, references: refs }, { subject: `${name}-value` });
  assert.deepEqual((await rest('GET', `/schemas/ids/${id}`)).body.references, refs);
  const payload = await registry.encode(id, { id: 'e-1', at: { seconds: 1700000000, nanos: 5 } });
  assert.deepEqual(plain(await newRegistry().decode(payload)), { id: 'e-1', at: { seconds: '1700000000', nanos: 5 } });
});

test('a READONLY subject: the held schema still encodes and decodes, a new one is 422 42205', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(avro(order()), { subject });
  assert.equal((await rest('PUT', `/mode/${subject}`, { mode: 'READONLY' })).status, 200);
  assert.deepEqual(plain(await newRegistry().decode(await registry.encode(id, { id: 'o-1' }))), { id: 'o-1' });
  assert.equal(await newRegistry().getLatestSchemaId(subject), id);
  await rejectsWith(
    newRegistry().register(avro(order([{ name: 'note', type: 'string', default: '' }])), { subject }),
    422, `Subject ${subject} in context  is in read-only mode`,
  );
  // The client shows the message only; the code is Confluent's 42205.
  const res = await rest('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(order([{ name: 'x', type: 'int', default: 0 }])) });
  assert.deepEqual({ status: res.status, code: res.body.error_code }, { status: 422, code: 42205 });
  assert.deepEqual((await rest('GET', `/subjects/${subject}/versions`)).body, [1]);
});
