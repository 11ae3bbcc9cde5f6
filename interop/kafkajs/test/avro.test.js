'use strict';
// Avro through @kafkajs/confluent-schema-registry: register (the subject
// from the schema's namespace and name, or given), the compatibility the
// client sets and checks, encode/decode in Confluent's wire format, the
// lookups by subject and version, named-type references and the reader
// schema option.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SchemaType, COMPATIBILITY } = require('@kafkajs/confluent-schema-registry');
const { newRegistry, uniq, wire, frame, rejectsWith, rest, plain } = require('../lib/charter');

const order = (namespace, extraFields = []) => ({
  type: 'record', name: 'Order', namespace,
  fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }, ...extraFields],
});
const avro = (schema, references) => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema), references });

test('register without a subject: <namespace>.<name>, BACKWARD set on first registration', async (t) => {
  const ns = uniq(t).replace(/-/g, '_');
  const registry = newRegistry();
  const { id } = await registry.register(avro(order(ns)));
  const subject = `${ns}.Order`;

  const latest = await rest('GET', `/subjects/${subject}/versions/latest`);
  assert.equal(latest.status, 200);
  assert.deepEqual({ id: latest.body.id, version: latest.body.version }, { id, version: 1 });
  // The client's default compatibility, written to the subject after its first registration.
  assert.deepEqual(await rest('GET', `/config/${subject}`), { status: 200, body: { compatibilityLevel: 'BACKWARD' } });

  // A second version: the client reads the subject's config (now BACKWARD) and registers.
  const v2 = await registry.register(avro(order(ns, [{ name: 'note', type: 'string', default: '' }])));
  assert.notEqual(v2.id, id);
  assert.equal(await registry.getLatestSchemaId(subject), v2.id);
  assert.equal(await registry.getRegistryId(subject, 1), id);
  assert.equal(await registry.getRegistryId(subject, 2), v2.id);
  assert.equal(await registry.getRegistryId(subject, 'latest'), v2.id);
});

test('the old API: a plain Avro schema object', async (t) => {
  const ns = uniq(t).replace(/-/g, '_');
  const registry = newRegistry();
  const { id } = await registry.register(order(ns));
  assert.equal(await registry.getLatestSchemaId(`${ns}.Order`), id);
});

test('register with a subject and a compatibility; a different one is refused by the client', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(avro(order('charter.interop')), { subject, compatibility: COMPATIBILITY.FULL });
  assert.deepEqual(await rest('GET', `/config/${subject}`), { status: 200, body: { compatibilityLevel: 'FULL' } });
  // The same schema again: same id, the config read back matches.
  assert.equal((await registry.register(avro(order('charter.interop')), { subject, compatibility: COMPATIBILITY.FULL })).id, id);
  await assert.rejects(
    registry.register(avro(order('charter.interop')), { subject }),
    { name: 'ConfluentSchemaRegistryCompatibilityError', message: 'Compatibility does not match the configuration (BACKWARD != FULL)' },
  );
});

test('updateConfig false leaves the subject without a config of its own', async (t) => {
  const subject = `${uniq(t)}-value`;
  await newRegistry().register(avro(order('charter.interop')), { subject, updateConfig: false });
  const config = await rest('GET', `/config/${subject}`);
  assert.equal(config.status, 404);
  assert.equal(config.body.error_code, 40408);
});

test('an incompatible schema is refused with the registry\'s 409', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  await registry.register(avro(order('charter.interop')), { subject });
  // A new field without a default is not BACKWARD compatible.
  await assert.rejects(
    registry.register(avro(order('charter.interop', [{ name: 'note', type: 'string' }])), { subject }),
    (err) => {
      assert.equal(err.name, 'ResponseError');
      assert.equal(err.status, 409);
      assert.match(err.message, /^Confluent_Schema_Registry - Schema being registered is incompatible with an earlier schema for subject "/);
      return true;
    },
  );
});

test('encode and decode: magic byte, the schema id, the Avro body', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(avro(order('charter.interop')), { subject });
  const payload = await registry.encode(id, { id: 'o-1', amount: 12.5 });
  const { id: wireId, body } = wire(payload);
  assert.equal(wireId, id);
  // Avro binary by hand: string "o-1" (zigzag length 3 -> 6), double 12.5 little-endian.
  const amount = Buffer.alloc(8);
  amount.writeDoubleLE(12.5);
  assert.deepEqual(body, Buffer.concat([Buffer.from([6]), Buffer.from('o-1'), amount]));

  // A fresh client fetches the schema by id.
  assert.deepEqual(plain(await newRegistry().decode(payload)), { id: 'o-1', amount: 12.5 });

  // getSchema answers the avsc type of the id.
  const type = await newRegistry().getSchema(id);
  assert.equal(type.name, 'charter.interop.Order');
  assert.deepEqual(type.fields.map((f) => f.name), ['id', 'amount']);

  // getRegistryIdBySchema looks the schema up under the subject.
  assert.equal(await newRegistry().getRegistryIdBySchema(subject, avro(order('charter.interop'))), id);
});

test('encode refuses a record the schema does not accept, naming the field', async (t) => {
  const registry = newRegistry();
  const { id } = await registry.register(avro(order('charter.interop')), { subject: `${uniq(t)}-value` });
  await assert.rejects(registry.encode(id, { id: 'o-1', amount: 'twelve' }), (err) => {
    assert.equal(err.name, 'ConfluentSchemaRegistryValidationError');
    assert.deepEqual(err.paths, [['amount']]);
    return true;
  });
});

test('decode a record another client wrote: the schema registered over plain HTTP', async (t) => {
  const subject = `${uniq(t)}-value`;
  const res = await rest('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(order('charter.other')) });
  assert.equal(res.status, 200);
  const amount = Buffer.alloc(8);
  amount.writeDoubleLE(-3.25);
  const payload = frame(res.body.id, Buffer.from([10]), Buffer.from('other'), amount);
  assert.deepEqual(plain(await newRegistry().decode(payload)), { id: 'other', amount: -3.25 });
});

test('decode with a reader schema: the writer\'s record resolved into a newer version', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  const { id } = await registry.register(avro(order('charter.interop')), { subject });
  const payload = await registry.encode(id, { id: 'o-2', amount: 1 });
  const v2 = order('charter.interop', [{ name: 'note', type: 'string', default: 'none' }]);
  const decoded = await newRegistry().decode(payload, { [SchemaType.AVRO]: { readerSchema: v2 } });
  assert.deepEqual(plain(decoded), { id: 'o-2', amount: 1, note: 'none' });
});

test('a named-type reference to another subject, resolved by the client on register and decode', async (t) => {
  const name = uniq(t);
  const money = {
    type: 'record', name: 'Money', namespace: 'charter.interop',
    fields: [{ name: 'currency', type: 'string' }, { name: 'units', type: 'long' }],
  };
  const payment = {
    type: 'record', name: 'Payment', namespace: 'charter.interop',
    fields: [{ name: 'id', type: 'string' }, { name: 'total', type: 'charter.interop.Money' }],
  };
  const registry = newRegistry();
  const moneySubject = `${name}-money`;
  await registry.register(avro(money), { subject: moneySubject });
  const refs = [{ name: 'charter.interop.Money', subject: moneySubject, version: 1 }];
  const { id } = await registry.register(avro(payment, refs), { subject: `${name}-value` });

  const stored = await rest('GET', `/schemas/ids/${id}`);
  assert.deepEqual(stored.body.references, refs);
  assert.deepEqual((await rest('GET', `/subjects/${moneySubject}/versions/1/referencedby`)).body, [id]);

  const record = { id: 'p-1', total: { currency: 'EUR', units: 1250 } };
  const payload = await registry.encode(id, record);
  assert.equal(wire(payload).id, id);
  // A fresh client fetches the schema by id, then its reference by subject and version.
  assert.deepEqual(plain(await newRegistry().decode(payload)), record);
});

test('missing subject, version and id: the registry\'s 404s as the client reports them', async (t) => {
  const subject = `${uniq(t)}-value`;
  const registry = newRegistry();
  await rejectsWith(registry.getLatestSchemaId(subject), 404, `Subject '${subject}' not found.`);
  await rejectsWith(registry.getRegistryId(subject, 1), 404, `Subject '${subject}' not found.`);
  await registry.register(avro(order('charter.interop')), { subject });
  await rejectsWith(registry.getRegistryId(subject, 7), 404, 'Version 7 not found.');
  await rejectsWith(registry.decode(frame(987654321, Buffer.from([0]))), 404, 'Schema 987654321 not found');
  await rejectsWith(registry.getSchema(987654321), 404, 'Schema 987654321 not found');
  // getRegistryIdBySchema turns a 404 into its own ConfluentSchemaRegistryError with the same message.
  await assert.rejects(
    registry.getRegistryIdBySchema(subject, avro(order('charter.elsewhere'))),
    { name: 'ConfluentSchemaRegistryError', message: 'Confluent_Schema_Registry - Schema not found' },
  );
  await assert.rejects(
    registry.getRegistryIdBySchema(`${subject}-none`, avro(order('charter.interop'))),
    { name: 'ConfluentSchemaRegistryError', message: `Confluent_Schema_Registry - Subject '${subject}-none' not found.` },
  );
});

test('a payload without the magic byte is refused before any request', async () => {
  await assert.rejects(newRegistry().decode(Buffer.from([1, 0, 0, 0, 1, 0])), {
    name: 'ConfluentSchemaRegistryArgumentError',
  });
});

test('a reference to a missing subject or version: the client\'s own lookup fails with the registry\'s 404, nothing registered', async (t) => {
  const name = uniq(t);
  const payment = {
    type: 'record', name: 'Payment', namespace: 'charter.interop',
    fields: [{ name: 'total', type: 'charter.missing.Money' }],
  };
  const registry = newRegistry();
  await rejectsWith(
    registry.register(avro(payment, [{ name: 'charter.missing.Money', subject: `${name}-none`, version: 1 }]), { subject: `${name}-value` }),
    404, `Subject '${name}-none' not found.`,
  );
  await registry.register(avro(order('charter.interop')), { subject: `${name}-order` });
  await rejectsWith(
    registry.register(avro(payment, [{ name: 'charter.missing.Money', subject: `${name}-order`, version: 2 }]), { subject: `${name}-value` }),
    404, 'Version 2 not found.',
  );
  assert.equal((await rest('GET', `/subjects/${name}-value/versions`)).status, 404);
});

test('an Avro schema that names a type it does not define and references nothing: the registry\'s 422', async (t) => {
  const subject = `${uniq(t)}-value`;
  const bad = JSON.stringify({ type: 'record', name: 'P', namespace: 'charter.interop', fields: [{ name: 'm', type: 'charter.nowhere.Money' }] });
  // avsc refuses it first, in the client: the schema never reaches the registry.
  await assert.rejects(newRegistry().register({ type: SchemaType.AVRO, schema: bad }, { subject }), { name: 'ConfluentSchemaRegistryArgumentError' });
  // Sent anyway (another client), it is 422 42201.
  const res = await rest('POST', `/subjects/${subject}/versions`, { schema: bad });
  assert.equal(res.status, 422);
  assert.equal(res.body.error_code, 42201);
});
