'use strict';
// The client's `auth` option (HTTP basic auth, mappersmith's middleware)
// against a charter started with --auth=required by TestKafkaJSClient,
// which passes its URL and a principal's name and API key: charter takes
// basic auth as the principal's name and one of its keys.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { env, newRegistry, uniq, wire } = require('../lib/charter');

const ORDER = JSON.stringify({
  type: 'record', name: 'Order', namespace: 'charter.interop',
  fields: [{ name: 'id', type: 'string' }],
});

const authed = (username, password) =>
  newRegistry(undefined, env('CHARTER_AUTH_URL'), { auth: { username, password } });

test('basic auth: register, encode and decode with the principal\'s name and key', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = authed(env('CHARTER_AUTH_USER'), env('CHARTER_AUTH_KEY'));
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: ORDER }, { subject });
  assert.equal(await registry.getLatestSchemaId(subject), id);
  const payload = await registry.encode(id, { id: 'o-1' });
  assert.equal(wire(payload).id, id);
  const fresh = authed(env('CHARTER_AUTH_USER'), env('CHARTER_AUTH_KEY'));
  assert.deepEqual({ ...(await fresh.decode(payload)) }, { id: 'o-1' });
});

test('a wrong key and no credentials: 401, which the client flags as unauthorized', async (t) => {
  const subject = `${uniq(t)}-value`;
  for (const registry of [
    authed(env('CHARTER_AUTH_USER'), 'not-the-key'),
    newRegistry(undefined, env('CHARTER_AUTH_URL')),
  ]) {
    await assert.rejects(registry.getLatestSchemaId(subject), (err) => {
      assert.equal(err.name, 'ResponseError');
      assert.equal(err.status, 401);
      assert.equal(err.unauthorized, true);
      return true;
    });
  }
});
