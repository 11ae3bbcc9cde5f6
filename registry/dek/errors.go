package dek

import (
	"errors"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/registry"
)

// Confluent's DEK registry error codes (DekRegistryErrors), from package
// confluent.
const (
	CodeKeyNotFound            = confluent.CodeKeyNotFound
	CodeKeyNotSoftDeleted      = confluent.CodeKeyNotSoftDeleted
	CodeKeySoftDeleted         = confluent.CodeKeySoftDeleted
	CodeDekGenerationForbidden = confluent.CodeDekGenerationForbidden
	CodeAlreadyExists          = confluent.CodeKeyAlreadyExists
	CodeTooManyKeys            = confluent.CodeTooManyKeys
	CodeInvalidKey             = confluent.CodeInvalidKey
	CodeReferenceExists        = confluent.CodeKeyReferenceExists
	CodeDekGeneration          = confluent.CodeDekGeneration
)

func errKeyNotFound(name string) error {
	return registry.Errorf(CodeKeyNotFound, "Key '%s' not found", name)
}

func errNotSoftDeleted(name string) error {
	return registry.Errorf(CodeKeyNotSoftDeleted, "Key '%s' was not deleted first before being permanently deleted", name)
}

func errSoftDeleted(name string) error {
	return registry.Errorf(CodeKeySoftDeleted, "Key '%s' must be undeleted first", name)
}

func errAlreadyExists(name string) error {
	return registry.Errorf(CodeAlreadyExists, "Key '%s' already exists; use a different value", name)
}

func errTooManyKeys(max int) error {
	return registry.Errorf(CodeTooManyKeys, "A maximum of %d keys already exist", max)
}

// ErrInvalidKey is Confluent's RestInvalidKeyException: field names what
// is missing or invalid.
func ErrInvalidKey(field string) error {
	return registry.Errorf(CodeInvalidKey, "Invalid or missing value for field '%s' of key", field)
}

func errReferenceExists(name string) error {
	return registry.Errorf(CodeReferenceExists, "One or more references exist to the key '%s'", name)
}

// errGeneration is DekGenerationException: 40370 when the KMS denied
// access, 50070 otherwise.
func errGeneration(msg string, err error) error {
	code := CodeDekGeneration
	if errors.Is(err, encryption.ErrAccessDenied) {
		code = CodeDekGenerationForbidden
	}
	return &registry.Error{Code: code, Message: msg + ": " + err.Error(), Err: err}
}
