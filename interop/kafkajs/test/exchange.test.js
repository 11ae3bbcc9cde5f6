'use strict';
// Records exchanged with charter's Go serde (contracts/serde) through
// $CHARTER_EXCHANGE_DIR (conformance/interop_kafkajs_test.go): the client
// decodes go-<format>.bin, which charter's serializer wrote, and writes
// kafkajs-<format>.bin, which charter's deserializer reads after these
// tests. Avro and JSON Schema (the client's Protobuf records carry no
// message indexes: see protobuf.test.js).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');
const { env, newRegistry, wire, rest, plain } = require('../lib/charter');

const SCHEMAS = {
  avro: {
    type: SchemaType.AVRO,
    schema: JSON.stringify({
      type: 'record', name: 'Order', namespace: 'charter.exchange',
      fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }],
    }),
  },
  json: {
    type: SchemaType.JSON,
    schema: JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object',
      properties: { id: { type: 'string' }, amount: { type: 'number' } }, required: ['id', 'amount'],
    }),
  },
};

for (const format of Object.keys(SCHEMAS)) {
  test(`${format}: decode charter's record, and write one for charter to decode`, async () => {
    const dir = env('CHARTER_EXCHANGE_DIR');
    const fromGo = fs.readFileSync(path.join(dir, `go-${format}.bin`));
    const latest = await rest('GET', `/subjects/kjs-exchange-go-${format}-value/versions/latest`);
    assert.equal(wire(fromGo).id, latest.body.id);
    assert.deepEqual(plain(await newRegistry().decode(fromGo)), { id: 'from-go', amount: 2.5 });

    const registry = newRegistry();
    const { id } = await registry.register(SCHEMAS[format], { subject: `kjs-exchange-kafkajs-${format}-value` });
    fs.writeFileSync(path.join(dir, `kafkajs-${format}.bin`), await registry.encode(id, { id: 'from-kafkajs', amount: 7.25 }));
  });
}
