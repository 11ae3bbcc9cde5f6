'use strict';
// Schema contexts through @confluentinc/schemaregistry's client and its
// Avro serdes: context-qualified subjects (":.ctx:name") with ids of their
// own, a client whose base URL is /contexts/{context}, and a deserializer
// with the default subject name strategy finding a context's schema (as
// interop/python/test_contexts.py does for confluent-kafka).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { AvroSerializer, AvroDeserializer, Compatibility, SchemaRegistryClient, SerdeType } = require('@confluentinc/schemaregistry');
const { charterURL, newClient, topicFor, schemaId, rest, plain } = require('../lib/charter');

const ORDER_A = JSON.stringify({ type: 'record', name: 'CtxOrderA', fields: [{ name: 'id', type: 'string' }] });
const ORDER_B = JSON.stringify({ type: 'record', name: 'CtxOrderB', fields: [{ name: 'id', type: 'string' }] });
const avro = (schema) => ({ schemaType: 'AVRO', schema });

// newContext names a context no other test uses: its ids start at 1.
function newContext() {
  return `.js${crypto.randomBytes(5).toString('hex')}`;
}

test('qualified subjects have ids of their own', async (t) => {
  const context = newContext();
  const qualified = `:${context}:${topicFor(t)}-value`;
  assert.equal(await newClient().register(qualified, avro(ORDER_A)), 1);

  const reader = newClient();
  const byID = await reader.getBySubjectAndId(qualified, 1);
  assert.deepEqual(JSON.parse(byID.schema), JSON.parse(ORDER_A));
  const latest = await reader.getLatestSchemaMetadata(qualified);
  assert.deepEqual([latest.id, latest.version, latest.subject], [1, 1, qualified]);
  assert.ok((await reader.getAllSubjects()).includes(qualified), 'GET /subjects lists the qualified subject');
  assert.deepEqual(await reader.getAllVersions(qualified), [1]);
  const contexts = await rest('GET', '/contexts');
  assert.ok(contexts.body.includes(context), `GET /contexts = ${JSON.stringify(contexts.body)}`);

  // Another context gives its first schema id 1 too.
  const other = `:${context}x:${topicFor(t)}-value`;
  assert.equal(await newClient().register(other, avro(ORDER_B)), 1);
  assert.deepEqual(JSON.parse((await newClient().getBySubjectAndId(other, 1)).schema), JSON.parse(ORDER_B));
});

test('a client on the context URL works in the context', async (t) => {
  const context = newContext();
  const subject = `${topicFor(t)}-value`;
  const scoped = new SchemaRegistryClient({ baseURLs: [`${charterURL()}/contexts/${context}`], maxRetries: 0 });
  assert.equal(await scoped.register(subject, avro(ORDER_A)), 1);
  const plainClient = newClient();
  assert.equal((await plainClient.getLatestSchemaMetadata(`:${context}:${subject}`)).id, 1);
  assert.deepEqual(await scoped.getAllSubjects(), [`:${context}:${subject}`]);
  // The context's config, as the context's client and by its name.
  await scoped.updateDefaultConfig({ compatibility: Compatibility.NONE });
  assert.equal((await plainClient.getConfig(`:${context}:`)).compatibilityLevel, 'NONE');
  assert.equal(await scoped.register(subject, avro(ORDER_B)), 2);
  assert.equal((await plainClient.getSchemaMetadata(`:${context}:${subject}`, 2)).id, 2);
});

test('serdes in a context', async (t) => {
  const context = newContext();
  const topic = topicFor(t);
  const qualified = `:${context}:${topic}-value`;
  const inContext = (tp) => `:${context}:${tp}-value`;
  const ser = new AvroSerializer(newClient(), SerdeType.VALUE, { autoRegisterSchemas: true, subjectNameStrategy: inContext });
  const payload = await ser.serialize(topic, { id: 'o-1' });
  assert.equal(schemaId(payload), 1);
  assert.equal((await newClient().getLatestSchemaMetadata(qualified)).id, 1);

  // A deserializer with the same strategy asks for the id in the context.
  const same = new AvroDeserializer(newClient(), SerdeType.VALUE, { subjectNameStrategy: inContext });
  assert.deepEqual(plain(await same.deserialize(topic, payload)), { id: 'o-1' });
  // One with the default strategy knows no context: the unqualified
  // subject is looked for in every context, as Confluent does.
  const unaware = new AvroDeserializer(newClient(), SerdeType.VALUE, {});
  assert.deepEqual(plain(await unaware.deserialize(topic, payload)), { id: 'o-1' });
});
