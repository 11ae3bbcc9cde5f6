// Package encryption is the cryptography of Confluent's client-side field
// level encryption, shared by charter's DEK registry (which generates and
// wraps data encryption keys for shared KEKs) and by charter's serde (which
// encrypts fields and payloads with them).
//
// It holds the three DEK formats with tink-go's key templates, so a DEK's
// key material is a serialized tink key (AesGcmKey or AesSivKey), exactly as
// Confluent's Java, Go, Python and JavaScript clients lay it out, and the KMS
// drivers that wrap DEKs with a key encryption key: a local driver
// (Confluent's local-kms, a secret in config) and the Driver interface that
// a cloud KMS implements.
//
// All cryptography is tink-go's; nothing here implements a cipher.
package encryption
