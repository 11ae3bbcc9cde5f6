'use strict';
// Registry operations through @confluentinc/schemaregistry's client:
// normalize, modes, soft and permanent deletes, compatibility.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { AvroSerializer, SerdeType, Compatibility } = require('@confluentinc/schemaregistry');
const { newClient, topicFor, rejectsWith, rest } = require('../lib/charter');

const RECORD_V1 = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] });
const RECORD_V2 = JSON.stringify({
  type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }],
});
// Adds a field without a default: not BACKWARD compatible with V1.
const RECORD_BREAKING = JSON.stringify({
  type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }, { name: 'c', type: 'int' }],
});
const avro = (schema) => ({ schemaType: 'AVRO', schema });

// Two declarations of one Protobuf message: the same fields in another order.
const PROTO_DECLARED = `syntax = "proto3";
package charter.interop.jsnorm;

message Point {
  int32 y = 2;
  int32 x = 1;
}
`;
const PROTO_SORTED = `syntax = "proto3";
package charter.interop.jsnorm;

message Point {
  int32 x = 1;
  int32 y = 2;
}
`;
const proto = (schema) => ({ schemaType: 'PROTOBUF', schema });

test('normalize', async (t) => {
  const subject = `${topicFor(t)}-value`;
  const id = await newClient().register(subject, proto(PROTO_DECLARED), true);
  assert.equal(await newClient().getId(subject, proto(PROTO_SORTED), true), id);
  assert.equal(await newClient().getVersion(subject, proto(PROTO_SORTED), true), 1);
  // Without normalize the other declaration order is another schema.
  await rejectsWith(newClient().getId(subject, proto(PROTO_SORTED), false), 404, 40403);
  // Registering the equivalent text with normalize is idempotent.
  assert.equal(await newClient().register(subject, proto(PROTO_SORTED), true), id);
  assert.deepEqual(await newClient().getAllVersions(subject), [1]);
});

test('normalize set in the subject config', async (t) => {
  const subject = `${topicFor(t)}-value`;
  const set = await newClient().updateConfig(subject, { normalize: true });
  assert.equal(set.normalize, true);
  assert.equal((await newClient().getConfig(subject)).normalize, true);
  // Neither call asks for normalize: the config does.
  const id = await newClient().register(subject, proto(PROTO_DECLARED), false);
  assert.equal(await newClient().getId(subject, proto(PROTO_SORTED), false), id);
  assert.equal(await newClient().register(subject, proto(PROTO_SORTED), false), id);
  assert.deepEqual(await newClient().getAllVersions(subject), [1]);
});

test('READONLY mode refuses registration', async (t) => {
  const topic = topicFor(t);
  const subject = `${topic}-value`;
  const id1 = await newClient().register(subject, avro(RECORD_V1));
  assert.deepEqual(await rest('PUT', `/mode/${subject}`, { mode: 'READONLY' }), { status: 200, body: { mode: 'READONLY' } });
  // A schema the subject already holds is answered with its id, as by
  // Confluent, before the mode is looked at.
  assert.equal(await newClient().register(subject, avro(RECORD_V1)), id1);

  // Confluent's text: the subject, then its context (empty: the default).
  await rejectsWith(newClient().register(subject, avro(RECORD_V2)), 422, 42205, `Subject ${subject} in context  is in read-only mode`);
  // A serializer that auto-registers gets the same refusal.
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true });
  await rejectsWith(ser.serialize(topic, { a: 'x', b: 1 }), 422, 42205);
  // Reads still work.
  assert.equal((await newClient().getLatestSchemaMetadata(subject)).version, 1);

  // A READONLY subject's config is read-only too.
  await rejectsWith(newClient().updateCompatibility(subject, Compatibility.NONE), 422, 42205, `Subject ${subject} in context  is in read-only mode`);

  assert.equal((await rest('PUT', `/mode/${subject}`, { mode: 'READWRITE' })).status, 200);
  await newClient().register(subject, avro(RECORD_V2));
  assert.deepEqual(await newClient().getAllVersions(subject), [1, 2]);
});

test('soft and permanent deletes', async (t) => {
  const subject = `${topicFor(t)}-value`;
  const id1 = await newClient().register(subject, avro(RECORD_V1));
  await newClient().register(subject, avro(RECORD_V2));

  // A permanent delete needs a soft delete first.
  await rejectsWith(newClient().deleteSubjectVersion(subject, 1, true), 404, 40407);

  assert.equal(await newClient().deleteSubjectVersion(subject, 1, false), 1);
  assert.deepEqual(await newClient().getAllVersions(subject), [2]);
  await rejectsWith(newClient().getSchemaMetadata(subject, 1, false), 404, 40402);
  // The soft-deleted version is still readable with deleted=true.
  assert.equal((await newClient().getSchemaMetadata(subject, 1, true)).id, id1);

  assert.equal(await newClient().deleteSubjectVersion(subject, 1, true), 1);
  await rejectsWith(newClient().getSchemaMetadata(subject, 1, true), 404, 40402);

  // A permanent subject delete needs a soft delete first too.
  await rejectsWith(newClient().deleteSubject(subject, true), 404, 40405);
  assert.deepEqual(await newClient().deleteSubject(subject, false), [2]);
  assert.ok(!(await newClient().getAllSubjects()).includes(subject));
  await rejectsWith(newClient().getLatestSchemaMetadata(subject), 404, 40401);
  assert.deepEqual(await newClient().deleteSubject(subject, true), [2]);
  await rejectsWith(newClient().getSchemaMetadata(subject, 2, true), 404, 40401);
});

test('compatibility', async (t) => {
  const subject = `${topicFor(t)}-value`;
  await newClient().register(subject, avro(RECORD_V1));
  assert.equal(await newClient().testSubjectCompatibility(subject, avro(RECORD_V2)), true);
  assert.equal(await newClient().testCompatibility(subject, 1, avro(RECORD_BREAKING)), false);
  await rejectsWith(newClient().register(subject, avro(RECORD_BREAKING)), 409, 40901);

  assert.equal(await newClient().updateCompatibility(subject, Compatibility.NONE), Compatibility.NONE);
  assert.equal(await newClient().getCompatibility(subject), Compatibility.NONE);
  await newClient().register(subject, avro(RECORD_BREAKING));
});
