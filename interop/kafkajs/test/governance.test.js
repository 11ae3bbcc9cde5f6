'use strict';
// The client under charter's governance (--auth=required, started by
// TestKafkaJSClient): a topic owned by team payments, registered into by a
// principal of payments and refused to one of billing; and a `shared`
// topic, where any principal may register but only the owner writes the
// subject's config, which the client writes after a subject's first
// registration unless told `updateConfig: false`.

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { env, newRegistry, uniq } = require('../lib/charter');

const as = (name, keyVar) => newRegistry(undefined, env('CHARTER_AUTH_URL'), { auth: { username: name, password: env(keyVar) } });
const payments = () => as('kafkajs-payments', 'CHARTER_AUTH_PAYMENTS_KEY');
const billing = () => as('kafkajs-billing', 'CHARTER_AUTH_BILLING_KEY');

// admin makes one REST call as the admin principal, with its key as a bearer token.
async function admin(method, path, body) {
  const res = await fetch(env('CHARTER_AUTH_URL') + path, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env('CHARTER_AUTH_KEY')}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const order = (fields = []) => ({
  type: SchemaType.AVRO,
  schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'charter.gov', fields: [{ name: 'id', type: 'string' }, ...fields] }),
});
const withNote = order([{ name: 'note', type: 'string', default: '' }]);

before(async () => {
  for (const name of ['payments', 'billing']) {
    const res = await admin('POST', '/v1/catalog/teams', { name });
    // 409 when a team is there already (a second run against one server).
    assert.ok(res.status === 200 || res.status === 201 || res.status === 409, JSON.stringify(res));
  }
});

async function topic(t, writePolicy) {
  const name = uniq(t);
  const res = await admin('POST', '/v1/catalog/topics', { name, owner: 'payments', writePolicy });
  assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res));
  return name;
}

test('a single-writer topic: the owner registers (and sets the config), another team is 403', async (t) => {
  const subject = `${await topic(t, 'single-writer')}-value`;
  const { id } = await payments().register(order(), { subject });
  assert.deepEqual((await admin('GET', `/config/${subject}`)).body, { compatibilityLevel: 'BACKWARD' });
  assert.equal(await billing().getLatestSchemaId(subject), id);
  await assert.rejects(billing().register(withNote, { subject }), (err) => {
    assert.equal(err.name, 'ResponseError');
    assert.equal(err.status, 403);
    assert.match(err.message, /^Confluent_Schema_Registry - /);
    return true;
  });
  assert.deepEqual((await admin('GET', `/subjects/${subject}/versions`)).body, [1]);
});

test('a shared topic: another team registers with updateConfig false; by default the client\'s config write is 403', async (t) => {
  const subject = `${await topic(t, 'shared')}-value`;
  // The client registers (allowed), then writes the subject's config (the owner's): 403.
  await assert.rejects(billing().register(order(), { subject }), (err) => {
    assert.equal(err.status, 403);
    assert.match(err.url, /^put .*\/config\//, err.url);
    return true;
  });
  // The version was registered all the same; the subject has no config of its own.
  assert.deepEqual((await admin('GET', `/subjects/${subject}/versions`)).body, [1]);
  assert.equal((await admin('GET', `/config/${subject}`)).status, 404);

  const v2 = await billing().register(withNote, { subject, updateConfig: false });
  assert.deepEqual((await admin('GET', `/subjects/${subject}/versions`)).body, [1, 2]);
  // Once the owner's client has set the config, the default options work for everyone.
  await payments().register(withNote, { subject });
  assert.deepEqual((await admin('GET', `/config/${subject}`)).body, { compatibilityLevel: 'BACKWARD' });
  assert.equal((await billing().register(withNote, { subject })).id, v2.id);
});
