package dek_test

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// extensionHistory is a fixed history of the extensions' records: teams,
// a topic, a review, a webhook and its deliveries, audit entries, KEKs and
// DEKs (of several algorithms and subjects, so that their order counts),
// with tombstones.
func extensionHistory() []storage.Record {
	rec := func(k, v string) storage.Record {
		r := storage.Record{Key: []byte(k)}
		if v != "" {
			r.Value = []byte(v)
		}
		return r
	}
	return []storage.Record{
		rec(`{"keytype":"TEAM","subject":"payments","magic":0}`, `{"name":"payments","description":"pays"}`),
		rec(`{"keytype":"TEAM","subject":"billing","magic":0}`, `{"name":"billing"}`),
		rec(`{"keytype":"TEAM","subject":"gone","magic":0}`, `{"name":"gone"}`),
		rec(`{"keytype":"TEAM","subject":"gone","magic":0}`, ``),
		rec(`{"keytype":"TOPIC","subject":"orders","magic":0}`, `{"name":"orders","owner":"payments","bindings":{"value":"orders-value"},"lifecycle":"active","writePolicy":"owner"}`),
		rec(`{"keytype":"TOPIC","subject":"invoices","magic":0}`, `{"name":"invoices","owner":"billing","bindings":{"key":"invoices-key"},"lifecycle":"active","writePolicy":"shared","visibility":"private"}`),
		rec(`{"keytype":"REVIEW","subject":"r2","magic":0}`, `{"id":"r2","subject":"orders-value","topic":"orders","state":"open","schema":"\"int\""}`),
		rec(`{"keytype":"REVIEW","subject":"r1","magic":0}`, `{"id":"r1","subject":"orders-value","topic":"orders","state":"approved","schema":"\"long\""}`),
		rec(`{"keytype":"WEBHOOK","subject":"w1","magic":0}`, `{"id":"w1","url":"http://example.invalid/hook","from":3}`),
		rec(`{"keytype":"DELIVERY","subject":"w1/12","magic":0}`, `{"webhook":"w1","position":12,"status":"failed","attempts":5}`),
		rec(`{"keytype":"DELIVERY","subject":"w1/4","magic":0}`, `{"webhook":"w1","position":4,"status":"delivered","attempts":1}`),
		rec(`{"keytype":"AUDIT","subject":"a2","magic":0}`, `{"id":"a2","operation":"TEAM_CREATED","team":"payments"}`),
		rec(`{"keytype":"AUDIT","subject":"a1","magic":0}`, `{"id":"a1","operation":"TEAM_CREATED","team":"billing"}`),
		rec(`{"keytype":"KEK","subject":"k2","magic":0}`, `{"kmsType":"local-kms","kmsKeyId":"local-kms://k2","kmsProps":{"a":"b"},"shared":true,"ts":7,"type":"KEK"}`),
		rec(`{"keytype":"KEK","subject":"k1","magic":0}`, `{"kmsType":"local-kms","kmsKeyId":"local-kms://k1","ts":6,"type":"KEK"}`),
		rec(`{"keytype":"KEK","subject":"k3","magic":0}`, `{"kmsType":"local-kms","kmsKeyId":"local-kms://k3","ts":6,"type":"KEK"}`),
		rec(`{"keytype":"KEK","subject":"k3","magic":0}`, ``),
		rec(`{"keytype":"DEK","subject":"k1/AES256_GCM/s/x","version":1,"magic":0}`, `{"encryptedKeyMaterial":"AAAA","ts":8,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k1/AES128_GCM/s/x","version":2,"magic":0}`, `{"encryptedKeyMaterial":"BBBB","ts":9,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k1/AES128_GCM/s/x","version":1,"magic":0}`, `{"encryptedKeyMaterial":"CCCC","ts":9,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k1/AES256_SIV/a","version":3,"magic":0}`, `{"encryptedKeyMaterial":"DDDD","deleted":true,"ts":10,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k2/AES256_GCM/a","version":1,"magic":0}`, `{"ts":11,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k2/AES256_GCM/b","version":1,"magic":0}`, `{"ts":11,"type":"DEK"}`),
		rec(`{"keytype":"DEK","subject":"k2/AES256_GCM/b","version":1,"magic":0}`, ``),
	}
}

// TestDigestOfExtensionsUnchanged pins the digest of a state holding the
// extensions' records (governance's and the DEK registry's): instances of
// an older charter compare it with ours.
func TestDigestOfExtensionsUnchanged(t *testing.T) {
	t.Parallel()
	l := memory.New()
	if _, err := l.Append(context.Background(), extensionHistory()...); err != nil {
		t.Fatal(err)
	}
	svc := registrytest.Run(t, registrytest.WithLog(l))
	if n := svc.State().Skipped(); n != 0 {
		t.Fatalf("%d records skipped", n)
	}
	const want = "7c6ee2aac579dc7053f882b4bb30cbf65d01c9018bc4ff75471c4d467d3d89f7"
	if got := svc.State().Digest(); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
}
