package encryption

import (
	"errors"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/daead"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Format is a DEK algorithm, as Confluent names them.
type Format string

// The DEK formats. AES256_GCM is the default; AES256_SIV is deterministic
// (the same plaintext gives the same ciphertext, so encrypted fields can be
// compared or joined).
const (
	AES128GCM Format = "AES128_GCM"
	AES256GCM Format = "AES256_GCM"
	AES256SIV Format = "AES256_SIV"
)

// DefaultFormat is the format a DEK gets when none is named.
const DefaultFormat = AES256GCM

// Formats lists the formats in Confluent's order.
var Formats = []Format{AES128GCM, AES256GCM, AES256SIV}

// ParseFormat accepts one of the three format names.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown DEK algorithm %q: use AES128_GCM, AES256_GCM or AES256_SIV", s)
}

// Deterministic reports whether the format encrypts deterministically.
func (f Format) Deterministic() bool { return f == AES256SIV }

func (f Format) template() (*tinkpb.KeyTemplate, error) {
	switch f {
	case AES128GCM:
		return aead.AES128GCMKeyTemplate(), nil
	case AES256GCM:
		return aead.AES256GCMKeyTemplate(), nil
	case AES256SIV:
		return daead.AESSIVKeyTemplate(), nil
	}
	return nil, fmt.Errorf("unknown DEK algorithm %q", string(f))
}

// NewKey generates fresh key material for a DEK of format f: a serialized
// tink key, the bytes Confluent's clients base64-encode as keyMaterial.
func (f Format) NewKey() ([]byte, error) {
	t, err := f.template()
	if err != nil {
		return nil, err
	}
	kd, err := registry.NewKeyData(t)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", f, err)
	}
	return kd.GetValue(), nil
}

// Cipher encrypts and decrypts with one DEK. Ciphertexts are tink's raw
// output (for AES-GCM a 12-byte IV, the ciphertext and a 16-byte tag; for
// AES-SIV the synthetic IV and the ciphertext), with no tink key prefix,
// as Confluent's executors write them.
type Cipher struct {
	format Format
	aead   tink.AEAD
	daead  tink.DeterministicAEAD
}

// NewCipher parses key material of format f.
func NewCipher(f Format, keyMaterial []byte) (*Cipher, error) {
	t, err := f.template()
	if err != nil {
		return nil, err
	}
	p, err := registry.Primitive(t.GetTypeUrl(), keyMaterial)
	if err != nil {
		return nil, fmt.Errorf("key material is not a %s key: %w", f, err)
	}
	c := &Cipher{format: f}
	var ok bool
	if f.Deterministic() {
		c.daead, ok = p.(tink.DeterministicAEAD)
	} else {
		c.aead, ok = p.(tink.AEAD)
	}
	if !ok {
		return nil, fmt.Errorf("key material is not a %s key", f)
	}
	return c, nil
}

// Encrypt encrypts plaintext with no associated data.
func (c *Cipher) Encrypt(plaintext []byte) ([]byte, error) {
	if c.daead != nil {
		return c.daead.EncryptDeterministically(plaintext, []byte{})
	}
	return c.aead.Encrypt(plaintext, []byte{})
}

// ErrDecrypt reports a ciphertext that does not decrypt with the key: the
// wrong key, or data that was changed or never encrypted.
var ErrDecrypt = errors.New("decryption failed")

// Decrypt decrypts a ciphertext Encrypt (or a Confluent client) produced.
func (c *Cipher) Decrypt(ciphertext []byte) ([]byte, error) {
	var out []byte
	var err error
	if c.daead != nil {
		out, err = c.daead.DecryptDeterministically(ciphertext, []byte{})
	} else {
		out, err = c.aead.Decrypt(ciphertext, []byte{})
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	return out, nil
}
