'use strict';
// The client's `host` as charter serves it: with a trailing slash (as the
// client's own README writes it), and a schema context's URL
// (`/contexts/{context}`), under which every call of the client is
// unqualified; and a subject config that sets no compatibility.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { charterURL, newRegistry, uniq, wire, rest, plain } = require('../lib/charter');

const schema = (namespace) => ({
  type: SchemaType.AVRO,
  schema: JSON.stringify({ type: 'record', name: 'Order', namespace, fields: [{ name: 'id', type: 'string' }] }),
});

test('a host with a trailing slash', async (t) => {
  const ns = uniq(t).replace(/-/g, '_');
  const registry = newRegistry(undefined, `${charterURL()}/`);
  const { id } = await registry.register(schema(ns));
  assert.equal(await registry.getLatestSchemaId(`${ns}.Order`), id);
  assert.deepEqual(plain(await newRegistry(undefined, `${charterURL()}/`).decode(await registry.encode(id, { id: 'o-1' }))), { id: 'o-1' });
});

test('a context\'s URL as the host: register, config, lookups and decode inside the context', async (t) => {
  const ctx = `.kjs${crypto.randomBytes(4).toString('hex')}`;
  const host = `${charterURL()}/contexts/${ctx}`;
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry(undefined, host);
  const { id } = await registry.register(schema('charter.ctx'), { subject });

  // The subject and its config (written by the client) are the context's.
  const qualified = `:${ctx}:${subject}`;
  assert.deepEqual((await rest('GET', `/subjects/${encodeURIComponent(qualified)}/versions/latest`)).body.id, id);
  assert.deepEqual(await rest('GET', `/config/${encodeURIComponent(qualified)}`), { status: 200, body: { compatibilityLevel: 'BACKWARD' } });
  // A client on the default context finds it too: an unqualified
  // GET /subjects/{subject}/versions/{version} falls back to the contexts
  // (Confluent's getUsingContexts), while the subject's own listing stays
  // the default context's.
  assert.equal(await newRegistry().getLatestSchemaId(subject), id);
  assert.equal((await rest('GET', `/subjects/${subject}/versions`)).status, 404);

  const fresh = newRegistry(undefined, host);
  assert.equal(await fresh.getLatestSchemaId(subject), id);
  assert.equal(await fresh.getRegistryId(subject, 1), id);
  const payload = await registry.encode(id, { id: 'o-1' });
  assert.equal(wire(payload).id, id);
  assert.deepEqual(plain(await fresh.decode(payload)), { id: 'o-1' });
});

// A client limitation: register reads compatibilityLevel from the subject's
// config and upper-cases it without checking that it is there. A subject
// config that sets only other fields (normalize here) answers without
// compatibilityLevel, in charter as in Confluent (whose Config omits empty
// fields), and the client's register fails with its own TypeError before
// any write.
test('a subject config without a compatibility: the client\'s register throws a TypeError', async (t) => {
  const subject = `${uniq(t)}-value`;
  assert.equal((await rest('PUT', `/config/${subject}`, { normalize: true })).status, 200);
  assert.deepEqual(await rest('GET', `/config/${subject}`), { status: 200, body: { normalize: true } });
  await assert.rejects(newRegistry().register(schema('charter.cfg'), { subject }), TypeError);
  assert.equal((await rest('GET', `/subjects/${subject}/versions`)).status, 404);
});

// A client limitation with qualified subjects on the default URL: register
// writes into the context (`:.ctx:subject`), but decode asks for the id
// alone (GET /schemas/ids/{id}, no subject), which names the default
// context's schema of that number, in charter as in Confluent
// (getSchemaKeyUsingContexts looks in other contexts only for a subject
// given). A client on the context's URL reads those records.
test('a qualified subject on the default URL: decode needs the context\'s URL', async (t) => {
  const ctx = `.kjsq${crypto.randomBytes(4).toString('hex')}`;
  const subject = `:${ctx}:${uniq(t)}-value`;
  // Some schema of the default context holds id 1 (ids start at 1 in each context).
  assert.equal((await rest('POST', `/subjects/${uniq(t)}-default/versions`, { schema: schema('charter.dflt').schema })).status, 200);
  const registry = newRegistry();
  const { id } = await registry.register(schema('charter.ctxq'), { subject });
  assert.equal(id, 1, 'the first id of a new context');
  assert.equal(await newRegistry().getLatestSchemaId(subject), id);
  const payload = await registry.encode(id, { id: 'o-1' });

  assert.deepEqual(plain(await newRegistry(undefined, `${charterURL()}/contexts/${ctx}`).decode(payload)), { id: 'o-1' });
  const fromDefault = await newRegistry().getSchema(id);
  assert.notEqual(fromDefault.name, 'charter.ctxq.Order', 'the default URL answers the default context\'s id 1');
});
