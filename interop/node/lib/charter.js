'use strict';
// Helpers shared by the @confluentinc/schemaregistry tests against a live
// charter, started by conformance/interop_test.go, which sets CHARTER_URL.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { SchemaRegistryClient, RestError } = require('@confluentinc/schemaregistry');

function charterURL() {
  const url = process.env.CHARTER_URL;
  if (!url) {
    throw new Error('CHARTER_URL is not set: run these tests through `go test -run TestNodeClient ./` in conformance/');
  }
  return url;
}

// newClient returns a client with caches of its own, so a test that must see
// what the server answers (not what an earlier call cached) takes a new one.
function newClient() {
  return new SchemaRegistryClient({ baseURLs: [charterURL()], maxRetries: 0 });
}

// topicFor returns a topic name no other test uses, so subjects never collide.
function topicFor(t) {
  const slug = t.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `js-${slug}-${crypto.randomBytes(4).toString('hex')}`;
}

// schemaId reads the schema id of a payload in Confluent's wire format: the
// magic byte 0 followed by a 4-byte big-endian id.
function schemaId(payload) {
  assert.equal(payload[0], 0, 'magic byte');
  return payload.readUInt32BE(1);
}

// rejectsWith asserts that promise fails with the registry's HTTP status and
// error code and, when message is given, the registry's exact message (which
// the client's RestError reports as "<message>; Error code: <code>").
async function rejectsWith(promise, status, errorCode, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof RestError, `want a RestError, got ${err && err.stack}`);
    assert.deepEqual({ status: err.status, errorCode: err.errorCode }, { status, errorCode }, err.message);
    if (message !== undefined) {
      assert.equal(err.message, `${message}; Error code: ${errorCode}`);
    }
    return true;
  });
}

// rest makes one raw REST call, for what the client has no method for (modes).
async function rest(method, path, body) {
  const res = await fetch(charterURL() + path, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// plain copies a decoded value without its classes (avsc decodes records
// into instances of generated classes), for deepEqual against literals.
function plain(value) {
  return structuredClone(value);
}

module.exports = { charterURL, newClient, topicFor, schemaId, rejectsWith, rest, plain };
