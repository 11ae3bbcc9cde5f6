// Package dek is charter's DEK registry: Confluent's dek-registry module
// (the /dek-registry/v1 API that client-side field level encryption talks
// to) as a domain over registry's log.
//
// Key encryption keys (KEKs) name a key in a KMS; data encryption keys
// (DEKs) belong to a KEK and a subject, have versions and one of three
// algorithms, and carry their key material wrapped by the KEK. For a shared
// KEK the registry itself can reach the KMS: it generates DEKs and returns
// their raw key material to authorised clients. For a non-shared KEK only
// clients reach the KMS, and they send the wrapped material.
//
// KEKs and DEKs are records of the registry's log (keytypes KEK and DEK),
// applied through registry.Extension, written with registry.Service.Write
// in batches with their audit entries, compacted by key and replayed on
// every instance like every other record. The package knows no HTTP: it
// returns *registry.Error with Confluent's codes (40470, 40471, 40472,
// 40370, 40971, 40972, 42271, 42272, 50070) and the api package maps them.
package dek
