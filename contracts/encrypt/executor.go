package encrypt

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/contracts/rules"
)

// The rule parameters, as Confluent names them. They are read from the
// rule's params, then the schema's metadata properties.
const (
	ParamKekName      = "encrypt.kek.name"
	ParamKmsType      = "encrypt.kms.type"
	ParamKmsKeyID     = "encrypt.kms.key.id"
	ParamDekAlgorithm = "encrypt.dek.algorithm"
	ParamDekExpiry    = "encrypt.dek.expiry.days"
)

// The rule types.
const (
	TypeField   = "ENCRYPT"
	TypePayload = "ENCRYPT_PAYLOAD"
)

// Keys is the DEK registry as the executor uses it; *client.Client
// implements it.
type Keys interface {
	Kek(ctx context.Context, name string, deleted bool) (*client.Kek, error)
	CreateKek(ctx context.Context, k client.Kek) (*client.Kek, error)
	Dek(ctx context.Context, kek, subject string, version int, algorithm string, deleted bool) (*client.Dek, error)
	CreateDek(ctx context.Context, kek, subject string, version int, algorithm, encryptedKeyMaterial string) (*client.Dek, error)
}

// Opt configures an Executor.
type Opt interface{ apply(*Executor) }

type optFunc func(*Executor)

func (f optFunc) apply(x *Executor) { f(x) }

// KMS sets the drivers that wrap and unwrap DEKs; by default the local
// driver with no secret of its own (the KEK's kmsProps.secret or
// LOCAL_SECRET).
func KMS(k *encryption.KMS) Opt { return optFunc(func(x *Executor) { x.kms = k }) }

// Config sets properties passed to the KMS drivers under the KEK's
// kmsProps, as Confluent's rule executor configuration (for the local
// KMS, "secret").
func Config(props map[string]string) Opt {
	return optFunc(func(x *Executor) { x.config = props })
}

// CacheTTL bounds how long KEKs and DEKs fetched from the registry are
// reused; 5 minutes by default. A deleted KEK stops new encryption once
// its cache entry expires.
func CacheTTL(d time.Duration) Opt { return optFunc(func(x *Executor) { x.ttl = d }) }

// Clock replaces time.Now, for DEK expiry in tests.
func Clock(now func() time.Time) Opt { return optFunc(func(x *Executor) { x.now = now }) }

// Executor is the ENCRYPT (field) rule executor; Payload returns the
// ENCRYPT_PAYLOAD one sharing its caches. It is safe for concurrent use.
type Executor struct {
	keys   Keys
	kms    *encryption.KMS
	config map[string]string
	ttl    time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keks map[kekKey]cached[*client.Kek]
	deks map[dekKey]cached[*dekMaterial]
}

type kekKey struct {
	name    string
	deleted bool
}

type dekKey struct {
	kek, subject, alg string
	version           int
	deleted           bool
}

type cached[T any] struct {
	v  T
	at time.Time
}

type dekMaterial struct {
	dek    *client.Dek
	cipher *encryption.Cipher
}

// New returns an executor over the DEK registry keys.
func New(keys Keys, opts ...Opt) *Executor {
	x := &Executor{keys: keys, ttl: 5 * time.Minute, now: time.Now, keks: map[kekKey]cached[*client.Kek]{}, deks: map[dekKey]cached[*dekMaterial]{}}
	for _, o := range opts {
		o.apply(x)
	}
	if x.kms == nil {
		x.kms = encryption.NewKMS(encryption.Local{})
	}
	return x
}

// Type implements rules.Executor.
func (x *Executor) Type() string { return TypeField }

// transform is one run of a rule.
type transform struct {
	x       *Executor
	mode    rules.Mode
	subject string
	kekName string
	kmsType string
	kmsKey  string
	alg     encryption.Format
	expiry  int
	kek     *client.Kek
}

// NewTransform implements rules.Executor.
func (x *Executor) NewTransform(ctx context.Context, rc rules.RuleContext) (rules.FieldFunc, error) {
	t, err := x.newTransform(ctx, rc)
	if err != nil {
		return nil, err
	}
	return func(f *rules.Field, value any) (any, error) {
		return t.field(ctx, value)
	}, nil
}

func (x *Executor) newTransform(ctx context.Context, rc rules.RuleContext) (*transform, error) {
	t := &transform{x: x, mode: rc.Mode, subject: rc.Info.Subject}
	t.kekName, _ = rc.Param(ParamKekName)
	if t.kekName == "" {
		return nil, errors.New("no kek name found")
	}
	t.kmsType, _ = rc.Param(ParamKmsType)
	t.kmsKey, _ = rc.Param(ParamKmsKeyID)
	alg, ok := rc.Param(ParamDekAlgorithm)
	if !ok || alg == "" {
		alg = string(encryption.DefaultFormat)
	}
	f, err := encryption.ParseFormat(alg)
	if err != nil {
		return nil, err
	}
	t.alg = f
	if d, ok := rc.Param(ParamDekExpiry); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid value for %s: %s", ParamDekExpiry, d)
		}
		t.expiry = n
	}
	if t.kek, err = t.getOrCreateKek(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *transform) read() bool { return t.mode == rules.Read }

func notFound(err error) bool {
	var re *client.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

func conflict(err error) bool {
	var re *client.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusConflict
}

func (t *transform) fetchKek(ctx context.Context) (*client.Kek, error) {
	x := t.x
	key := kekKey{t.kekName, t.read()}
	x.mu.Lock()
	c, ok := x.keks[key]
	x.mu.Unlock()
	if ok && x.now().Sub(c.at) < x.ttl {
		return c.v, nil
	}
	k, err := x.keys.Kek(ctx, t.kekName, t.read())
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, err
	}
	x.mu.Lock()
	x.keks[key] = cached[*client.Kek]{k, x.now()}
	x.mu.Unlock()
	return k, nil
}

// getOrCreateKek is Confluent's: on write a missing KEK is created from
// the rule's kms type and key id; a KEK that differs from them is refused.
func (t *transform) getOrCreateKek(ctx context.Context) (*client.Kek, error) {
	k, err := t.fetchKek(ctx)
	if err != nil {
		return nil, err
	}
	if k == nil {
		if t.read() {
			return nil, fmt.Errorf("no kek found for %s during consume", t.kekName)
		}
		if t.kmsType == "" {
			return nil, fmt.Errorf("no kms type found for %s during produce", t.kekName)
		}
		if t.kmsKey == "" {
			return nil, fmt.Errorf("no kms key id found for %s during produce", t.kekName)
		}
		k, err = t.x.keys.CreateKek(ctx, client.Kek{Name: t.kekName, KmsType: t.kmsType, KmsKeyID: t.kmsKey})
		if err != nil && !conflict(err) {
			return nil, err
		}
		if k == nil {
			if k, err = t.fetchKek(ctx); err != nil {
				return nil, err
			}
		}
		if k == nil {
			return nil, fmt.Errorf("no kek found for %s during produce", t.kekName)
		}
	}
	if t.kmsType != "" && t.kmsType != k.KmsType {
		return nil, fmt.Errorf("found %s with kms type %s which differs from rule kms type %s", t.kekName, k.KmsType, t.kmsType)
	}
	if t.kmsKey != "" && t.kmsKey != k.KmsKeyID {
		return nil, fmt.Errorf("found %s with kms key id %s which differs from rule kms key id %s", t.kekName, k.KmsKeyID, t.kmsKey)
	}
	return k, nil
}

func (t *transform) aead() (encryption.AEAD, error) {
	props := map[string]string{}
	for k, v := range t.x.config {
		props[k] = v
	}
	for k, v := range t.kek.KmsProps {
		props[k] = v
	}
	return t.x.kms.AEAD(t.kek.KmsType, t.kek.KmsKeyID, props)
}

func (t *transform) fetchDek(ctx context.Context, version int) (*client.Dek, error) {
	d, err := t.x.keys.Dek(ctx, t.kekName, t.subject, version, string(t.alg), t.read())
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return d, nil
}

// dek returns the DEK version (-1: the latest) ready to use, creating it
// (or, when it has expired, its next version) on write.
func (t *transform) dek(ctx context.Context, version int) (*dekMaterial, error) {
	x := t.x
	key := dekKey{t.kekName, t.subject, string(t.alg), version, t.read()}
	x.mu.Lock()
	c, ok := x.deks[key]
	x.mu.Unlock()
	if ok && x.now().Sub(c.at) < x.ttl && !t.expired(c.v.dek) {
		return c.v, nil
	}
	d, err := t.fetchDek(ctx, version)
	if err != nil {
		return nil, err
	}
	expired := t.expired(d)
	if d == nil || expired {
		if t.read() {
			return nil, fmt.Errorf("no dek found for %s during consume", t.kekName)
		}
		var wrapped string
		if !t.kek.Shared {
			raw, err := t.alg.NewKey()
			if err != nil {
				return nil, err
			}
			a, err := t.aead()
			if err != nil {
				return nil, err
			}
			enc, err := a.Encrypt(raw, []byte{})
			if err != nil {
				return nil, err
			}
			wrapped = base64.StdEncoding.EncodeToString(enc)
		}
		next := 1
		if expired {
			next = d.Version + 1
		}
		created, err := x.keys.CreateDek(ctx, t.kekName, t.subject, next, string(t.alg), wrapped)
		switch {
		case err == nil:
			d = created
		case conflict(err):
			if d, err = t.fetchDek(ctx, version); err != nil {
				return nil, err
			}
			if d == nil {
				return nil, fmt.Errorf("no dek found for %s during produce", t.kekName)
			}
		case d == nil:
			return nil, err
		}
		// An expired DEK whose successor could not be created is used, as
		// Confluent's executor does.
	}
	m, err := t.material(d)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	x.deks[key] = cached[*dekMaterial]{m, x.now()}
	x.mu.Unlock()
	return m, nil
}

func (t *transform) material(d *client.Dek) (*dekMaterial, error) {
	var raw []byte
	var err error
	if d.KeyMaterial != "" {
		if raw, err = base64.StdEncoding.DecodeString(d.KeyMaterial); err != nil {
			return nil, fmt.Errorf("dek %s/%s version %d: keyMaterial is not base64: %w", d.KekName, d.Subject, d.Version, err)
		}
	} else {
		enc, err := base64.StdEncoding.DecodeString(d.EncryptedKeyMaterial)
		if err != nil {
			return nil, fmt.Errorf("dek %s/%s version %d: encryptedKeyMaterial is not base64: %w", d.KekName, d.Subject, d.Version, err)
		}
		a, err := t.aead()
		if err != nil {
			return nil, err
		}
		if raw, err = a.Decrypt(enc, []byte{}); err != nil {
			return nil, fmt.Errorf("dek %s/%s version %d: unwrap with kek %s: %w", d.KekName, d.Subject, d.Version, t.kekName, err)
		}
	}
	c, err := encryption.NewCipher(t.alg, raw)
	if err != nil {
		return nil, err
	}
	return &dekMaterial{dek: d, cipher: c}, nil
}

func (t *transform) expired(d *client.Dek) bool {
	if t.read() || t.expiry <= 0 || d == nil {
		return false
	}
	const day = 24 * 60 * 60 * 1000
	return (t.x.now().UnixMilli()-d.Ts)/day >= int64(t.expiry)
}

func (t *transform) rotated() bool { return t.expiry > 0 }

// encrypt encrypts plaintext with the current DEK.
func (t *transform) encrypt(ctx context.Context, plaintext []byte) ([]byte, error) {
	version := 1
	if t.rotated() {
		version = -1
	}
	m, err := t.dek(ctx, version)
	if err != nil {
		return nil, err
	}
	ct, err := m.cipher.Encrypt(plaintext)
	if err != nil {
		return nil, err
	}
	if t.rotated() {
		var b bytes.Buffer
		b.WriteByte(0)
		_ = binary.Write(&b, binary.BigEndian, uint32(m.dek.Version))
		b.Write(ct)
		ct = b.Bytes()
	}
	return ct, nil
}

// decrypt decrypts a ciphertext encrypt (or a Confluent client) wrote.
func (t *transform) decrypt(ctx context.Context, ct []byte) ([]byte, error) {
	version := 1
	if t.rotated() {
		if len(ct) < 5 || ct[0] != 0 {
			return nil, errors.New("unknown magic byte")
		}
		version = int(binary.BigEndian.Uint32(ct[1:5]))
		ct = ct[5:]
	}
	m, err := t.dek(ctx, version)
	if err != nil {
		return nil, err
	}
	return m.cipher.Decrypt(ct)
}

// field transforms one field value: strings through base64, bytes as
// they are; other types cannot be encrypted (on read they pass).
func (t *transform) field(ctx context.Context, value any) (any, error) {
	switch v := value.(type) {
	case string:
		if t.read() {
			ct, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, err
			}
			pt, err := t.decrypt(ctx, ct)
			if err != nil {
				return nil, err
			}
			return string(pt), nil
		}
		ct, err := t.encrypt(ctx, []byte(v))
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString(ct), nil
	case []byte:
		if t.read() {
			return t.decrypt(ctx, v)
		}
		return t.encrypt(ctx, v)
	default:
		if t.read() {
			return value, nil
		}
		return nil, fmt.Errorf("type '%T' not supported for encryption", value)
	}
}

// Payload is the ENCRYPT_PAYLOAD executor: it encrypts a serialized
// payload (the bytes after the schema id) on write and decrypts it on
// read, with the same keys and layout as the field executor.
func (x *Executor) Payload() *PayloadExecutor { return &PayloadExecutor{x: x} }

// PayloadExecutor encrypts whole payloads.
type PayloadExecutor struct{ x *Executor }

// Type is ENCRYPT_PAYLOAD.
func (p *PayloadExecutor) Type() string { return TypePayload }

// Transform encrypts (Write) or decrypts (Read) payload.
func (p *PayloadExecutor) Transform(ctx context.Context, rc rules.RuleContext, payload []byte) ([]byte, error) {
	t, err := p.x.newTransform(ctx, rc)
	if err != nil {
		return nil, err
	}
	if t.read() {
		return t.decrypt(ctx, payload)
	}
	return t.encrypt(ctx, payload)
}
