'use strict';
// Protobuf through @confluentinc/schemaregistry's ProtobufSerializer and
// ProtobufDeserializer, including a message whose file imports another file:
// a schema reference the deserializer fetches with
// GET /subjects/{subject}/versions/{version}?format=serialized.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { create, fromBinary } = require('@bufbuild/protobuf');
const { FileDescriptorProtoSchema } = require('@bufbuild/protobuf/wkt');
const { ProtobufSerializer, ProtobufDeserializer, SerdeType } = require('@confluentinc/schemaregistry');
const { newClient, topicFor, schemaId } = require('../lib/charter');
const { messages, eventMessages } = require('../lib/protos');

// The serializer registers money.proto under a subject named after the file.
const MONEY_FILE = 'charter/interop/js_money.proto';
const bin = messages('charter.interop.js', MONEY_FILE, 'charter/interop/js_order.proto');

// The same two files as .proto text, registered by the application itself.
const TEXT_MONEY = `syntax = "proto3";
package charter.interop.jstext;

message Money {
  string currency = 1;
  int64 units = 2;
}
`;
const TEXT_ORDER = `syntax = "proto3";
package charter.interop.jstext;

import "charter/interop/jstext_money.proto";

message Order {
  string id = 1;
  Money total = 2;
  repeated string tags = 3;
}
`;
const text = messages('charter.interop.jstext', 'charter/interop/jstext_money.proto', 'charter/interop/jstext_order.proto');

function orderFields(msg) {
  return { id: msg.id, currency: msg.total.currency, units: msg.total.units, tags: [...msg.tags] };
}

test('round trip with an imported file, auto-registered', async (t) => {
  const topic = topicFor(t);
  const ser = new ProtobufSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true, registry: bin.registry });
  const order = create(bin.Order, { id: 'o-1', total: create(bin.Money, { currency: 'EUR', units: 1250n }), tags: ['a', 'b'] });
  const payload = await ser.serialize(topic, order);

  const latest = await newClient().getLatestSchemaMetadata(`${topic}-value`);
  assert.equal(schemaId(payload), latest.id);
  assert.equal(latest.schemaType, 'PROTOBUF');
  assert.deepEqual(latest.references, [{ name: MONEY_FILE, subject: MONEY_FILE, version: 1 }]);
  // Order is the first message of its file: the message-index list is [0],
  // written as the single byte 0.
  assert.equal(payload[5], 0);

  const deser = new ProtobufDeserializer(newClient(), SerdeType.VALUE, {});
  const got = await deser.deserialize(topic, payload);
  assert.equal(got.$typeName, 'charter.interop.js.Order');
  assert.deepEqual(orderFields(got), { id: 'o-1', currency: 'EUR', units: 1250n, tags: ['a', 'b'] });
});

test('round trip of text schemas registered by the application', async (t) => {
  const topic = topicFor(t);
  const moneySubject = `${topic}-money`;
  const client = newClient();
  await client.register(moneySubject, { schemaType: 'PROTOBUF', schema: TEXT_MONEY });
  const ref = { name: 'charter/interop/jstext_money.proto', subject: moneySubject, version: 1 };
  const orderId = await client.register(`${topic}-value`, { schemaType: 'PROTOBUF', schema: TEXT_ORDER, references: [ref] });

  const ser = new ProtobufSerializer(newClient(), SerdeType.VALUE, { useLatestVersion: true, registry: text.registry });
  const order = create(text.Order, { id: 'o-2', total: create(text.Money, { currency: 'USD', units: 99n }), tags: ['x'] });
  const payload = await ser.serialize(topic, order);
  assert.equal(schemaId(payload), orderId);

  // The deserializer reads the writer schema and its reference in the
  // serialized form (base64 FileDescriptorProto) charter renders from text.
  const deser = new ProtobufDeserializer(newClient(), SerdeType.VALUE, {});
  const got = await deser.deserialize(topic, payload);
  assert.equal(got.$typeName, 'charter.interop.jstext.Order');
  assert.deepEqual(orderFields(got), { id: 'o-2', currency: 'USD', units: 99n, tags: ['x'] });
});

test('a single-file message, auto-registered', async (t) => {
  const topic = topicFor(t);
  const single = messages('charter.interop.jssingle', 'charter/interop/jssingle_money.proto', 'charter/interop/jssingle_order.proto');
  const ser = new ProtobufSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true, registry: single.registry });
  const payload = await ser.serialize(topic, create(single.Money, { currency: 'JPY', units: 500n }));
  assert.equal(schemaId(payload), (await newClient().getLatestSchemaMetadata(`${topic}-value`)).id);
  const got = await new ProtobufDeserializer(newClient(), SerdeType.VALUE, {}).deserialize(topic, payload);
  assert.deepEqual({ currency: got.currency, units: got.units }, { currency: 'JPY', units: 500n });
});

test('a text schema read in the serialized format', async (t) => {
  const subject = `${topicFor(t)}-money`;
  await newClient().register(subject, { schemaType: 'PROTOBUF', schema: TEXT_MONEY });
  const got = await newClient().getSchemaMetadata(subject, 1, false, 'serialized');
  const fd = fromBinary(FileDescriptorProtoSchema, Buffer.from(got.schema, 'base64'));
  assert.equal(fd.package, 'charter.interop.jstext');
  assert.deepEqual(fd.messageType.map((m) => m.name), ['Money']);
  assert.deepEqual(fd.messageType[0].field.map((f) => [f.name, f.number]), [['currency', 1], ['units', 2]]);
});

test('a well-known import needs no reference', async (t) => {
  const topic = topicFor(t);
  const ev = eventMessages('charter.interop.jsevent', 'charter/interop/js_event.proto');
  const ser = new ProtobufSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true, registry: ev.registry });
  const payload = await ser.serialize(topic, create(ev.Event, { id: 'e-1', at: { seconds: 1700000000n, nanos: 5 } }));

  const latest = await newClient().getLatestSchemaMetadata(`${topic}-value`);
  assert.equal(schemaId(payload), latest.id);
  assert.equal(latest.references, undefined);

  const got = await new ProtobufDeserializer(newClient(), SerdeType.VALUE, {}).deserialize(topic, payload);
  assert.deepEqual({ id: got.id, seconds: got.at.seconds, nanos: got.at.nanos }, { id: 'e-1', seconds: 1700000000n, nanos: 5 });
});
