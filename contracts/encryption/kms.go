package encryption

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	agpb "github.com/tink-crypto/tink-go/v2/proto/aes_gcm_go_proto"
	"github.com/tink-crypto/tink-go/v2/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/protobuf/proto"
)

// AEAD is a key encryption key as a KMS offers it: it wraps (encrypts) and
// unwraps DEK key material. tink's KMS clients return this shape.
type AEAD = tink.AEAD

// Driver reaches one kind of KMS. A cloud KMS (AWS, Azure, GCP, HashiCorp
// Vault) is added by implementing it; tink-go's KMS clients
// (tink-go-awskms, tink-go-gcpkms, tink-go-hcvault) return a tink.AEAD for
// a key URI and fit in a few lines.
type Driver interface {
	// Type is the kmsType of the KEKs this driver serves, as Confluent
	// names it: "local-kms", "aws-kms", "azure-kms", "gcp-kms", "hcvault".
	Type() string
	// AEAD returns the KMS key kmsKeyID. props are the KEK's kmsProps laid
	// over the caller's configuration (credentials, endpoints).
	AEAD(kmsKeyID string, props map[string]string) (AEAD, error)
}

// ErrAccessDenied is wrapped by a driver's error when the KMS refused the
// caller; the DEK registry answers it with 40370 rather than 50070.
var ErrAccessDenied = errors.New("KMS access denied")

// KMS is a set of drivers keyed by kmsType.
type KMS struct {
	mu      sync.RWMutex
	drivers map[string]Driver
}

// NewKMS returns a KMS with the given drivers.
func NewKMS(drivers ...Driver) *KMS {
	k := &KMS{drivers: map[string]Driver{}}
	for _, d := range drivers {
		k.Register(d)
	}
	return k
}

// Register adds (or replaces) the driver for d.Type().
func (k *KMS) Register(d Driver) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.drivers[d.Type()] = d
}

// Types lists the kmsTypes the KMS has a driver for.
func (k *KMS) Types() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]string, 0, len(k.drivers))
	for t := range k.drivers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// AEAD returns the KEK kmsType/kmsKeyID.
func (k *KMS) AEAD(kmsType, kmsKeyID string, props map[string]string) (AEAD, error) {
	k.mu.RLock()
	d, ok := k.drivers[kmsType]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("no KMS driver for kms type %q (have %s)", kmsType, strings.Join(k.Types(), ", "))
	}
	return d.AEAD(kmsKeyID, props)
}

// LocalType is the kmsType of the local driver.
const LocalType = "local-kms"

// Local is Confluent's local KMS: the KEK is derived from a secret (HKDF
// with SHA-256, no salt, no info, 16 bytes) and used as an AES128-GCM key,
// so every party that knows the secret can wrap and unwrap DEKs. It is for
// tests and development; the KEK's kmsKeyId is not used.
type Local struct {
	// Secret is used when the KEK's kmsProps carry no "secret"; when both
	// are empty, the LOCAL_SECRET environment variable is.
	Secret string
}

// Type implements Driver.
func (Local) Type() string { return LocalType }

// AEAD implements Driver.
func (l Local) AEAD(_ string, props map[string]string) (AEAD, error) {
	secret := props["secret"]
	if secret == "" {
		secret = l.Secret
	}
	if secret == "" {
		secret = os.Getenv("LOCAL_SECRET")
	}
	if secret == "" {
		return nil, errors.New("local-kms: cannot load secret: set kmsProps.secret, the driver's secret or LOCAL_SECRET")
	}
	return LocalAEAD(secret)
}

// LocalAEAD returns the local KMS's KEK for secret.
func LocalAEAD(secret string) (AEAD, error) {
	kv, err := subtle.ComputeHKDF("SHA256", []byte(secret), nil, nil, 16)
	if err != nil {
		return nil, err
	}
	key, err := proto.Marshal(&agpb.AesGcmKey{Version: 0, KeyValue: kv})
	if err != nil {
		return nil, err
	}
	p, err := registry.Primitive(aead.AES128GCMKeyTemplate().GetTypeUrl(), key)
	if err != nil {
		return nil, err
	}
	a, ok := p.(tink.AEAD)
	if !ok {
		return nil, errors.New("local-kms: not an AEAD")
	}
	return a, nil
}
