// Package encrypt runs Confluent's client-side field level encryption in
// charter's serde: the ENCRYPT rule (FIELD_ENCRYPTION of the fields that
// carry the rule's tags) through rules.WithExecutor, and ENCRYPT_PAYLOAD
// (the whole serialized payload, an encoding rule) through
// serde.WithPayloadExecutor.
//
// It follows Confluent's executors step for step, so bytes written by one
// are read by the other: KEKs and DEKs come from the registry's DEK
// registry (created on first use on write, as Confluent's clients create
// them), a DEK's key material is a serialized tink key wrapped by the KEK
// through a KMS driver (contracts/encryption), a string field holds the
// base64 of the ciphertext and a bytes field the ciphertext itself, and
// with encrypt.dek.expiry.days set the ciphertext starts with a zero byte
// and the DEK version (4 bytes, big-endian) so that records written with
// older versions stay readable after rotation.
package encrypt
