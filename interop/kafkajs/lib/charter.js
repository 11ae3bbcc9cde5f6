'use strict';
// Helpers shared by the @kafkajs/confluent-schema-registry tests against a
// live charter, started by conformance/interop_test.go (TestKafkaJSClient),
// which sets CHARTER_URL (and, for auth.test.js, CHARTER_AUTH_URL with a
// principal's name and key).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run these tests through \`go test -run TestKafkaJSClient ./\` in conformance/`);
  }
  return v;
}

const charterURL = () => env('CHARTER_URL');

// newRegistry returns a client with a cache of its own (the client caches
// schemas by id), without retries so that a failure is the server's answer.
function newRegistry(options, host = charterURL(), extra = {}) {
  return new SchemaRegistry({ host, retry: { retries: 0 }, ...extra }, options);
}

// uniq returns a name no other test uses, so subjects never collide.
function uniq(t) {
  const slug = t.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `kjs-${slug}-${crypto.randomBytes(4).toString('hex')}`;
}

// wire splits a payload in Confluent's wire format: the magic byte 0, a
// 4-byte big-endian schema id, then the encoded record.
function wire(payload) {
  assert.equal(payload[0], 0, 'magic byte');
  return { id: payload.readUInt32BE(1), body: payload.subarray(5) };
}

// frame builds a payload in Confluent's wire format, as another client
// would write it.
function frame(id, ...parts) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, ...parts]);
}

// rejectsWith asserts that promise fails the way the client reports a
// registry error: its ResponseError carries the HTTP status, and its
// message is "<clientId> - <the registry's message>" (the client reads the
// body's message, not its error_code).
async function rejectsWith(promise, status, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, 'ResponseError', err.stack);
    assert.equal(err.status, status, err.message);
    assert.equal(err.message, `Confluent_Schema_Registry - ${message}`);
    return true;
  });
}

// rest makes one raw REST call, as an application or another client would.
async function rest(method, path, body, url = charterURL()) {
  const res = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// plain copies a decoded value without its classes (avsc and protobufjs
// decode into instances of generated classes), for deepEqual.
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

module.exports = { env, charterURL, newRegistry, uniq, wire, frame, rejectsWith, rest, plain };
