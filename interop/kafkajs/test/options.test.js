'use strict';
// Options of the client that users set: the Avro subject's `separator`, and an
// Ajv instance of the application's own for JSON Schema (Ajv2020, for
// draft 2020-12 schemas).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Ajv2020 = require('ajv/dist/2020').default;
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { newRegistry, uniq, rest } = require('../lib/charter');

test('separator: the Avro subject is <namespace><separator><name>', async (t) => {
  const ns = uniq(t).replace(/-/g, '_');
  const registry = newRegistry();
  const schema = JSON.stringify({ type: 'record', name: 'Order', namespace: ns, fields: [{ name: 'id', type: 'string' }] });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { separator: '-' });
  assert.equal(await registry.getLatestSchemaId(`${ns}-Order`), id);
});

test('JSON Schema draft 2020-12 through an Ajv2020 instance, with a $ref to another subject', async (t) => {
  const name = uniq(t);
  const money = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://charter.example/2020/money.json',
    type: 'object',
    properties: { currency: { enum: ['EUR', 'USD'] }, units: { type: 'integer' } },
    required: ['currency', 'units'],
  };
  const order = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      id: { type: 'string' },
      lines: { type: 'array', prefixItems: [{ type: 'string' }], items: { $ref: 'https://charter.example/2020/money.json' } },
    },
    required: ['id'],
    unevaluatedProperties: false,
  };
  const options = () => ({ [SchemaType.JSON]: { ajvInstance: new Ajv2020({ strict: false }) } });
  const refs = [{ name: 'https://charter.example/2020/money.json', subject: `${name}-money`, version: 1 }];
  const orderSchema = { type: SchemaType.JSON, schema: JSON.stringify(order), references: refs };

  // A client limitation: with an ajvInstance of its own, the client compiles
  // every schema into that one instance, so after registering the referenced
  // schema (which has an $id) it cannot add it again as the reference of the
  // next one: Ajv refuses the duplicate $id, before any request.
  const shared = newRegistry(options());
  await shared.register({ type: SchemaType.JSON, schema: JSON.stringify(money) }, { subject: `${name}-money` });
  await assert.rejects(shared.register(orderSchema, { subject: `${name}-value` }), {
    name: 'ConfluentSchemaRegistryArgumentError',
    message: 'schema with key or id "https://charter.example/2020/money.json" already exists',
  });
  assert.equal((await rest('GET', `/subjects/${name}-value/versions`)).status, 404);

  // With a client (and Ajv instance) that has not seen it, the reference resolves.
  const registry = newRegistry(options());
  const { id } = await registry.register(orderSchema, { subject: `${name}-value` });
  assert.equal((await rest('GET', `/schemas/ids/${id}`)).body.schemaType, 'JSON');

  const record = { id: 'o-1', lines: ['first', { currency: 'EUR', units: 3 }] };
  assert.deepEqual(await newRegistry(options()).decode(await registry.encode(id, record)), record);
  // unevaluatedProperties (2020-12) applies.
  await assert.rejects(registry.encode(id, { id: 'o-2', extra: true }), { name: 'ConfluentSchemaRegistryValidationError' });
});
