package dek

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// Config configures the DEK registry.
type Config struct {
	// KMS holds the drivers the registry uses for shared KEKs. The default
	// has the local driver, which takes its secret from each KEK's
	// kmsProps.secret or the LOCAL_SECRET environment variable.
	KMS *encryption.KMS
	// MaxKeys bounds the KEKs, and separately the DEKs, the registry holds
	// (Confluent's dek.registry.max.keys); 20000 by default.
	MaxKeys int
	// Now stamps written keys; time.Now by default.
	Now func() time.Time
}

// Registry is the DEK registry over one registry.Service.
type Registry struct {
	svc *registry.Service
	cfg Config

	mu   sync.RWMutex
	keks map[string]kekValue
	deks map[dekID]dekValue
	// kekRecs and dekRecs apply KEK and DEK records into keks and deks.
	kekRecs *registry.Table[string, kekValue]
	dekRecs *registry.Table[dekID, dekValue]
}

// Attach builds the DEK registry over svc and registers its records with
// svc's state. Call it before svc.Run, so that replay applies the keys
// already in the log.
func Attach(svc *registry.Service, cfg Config) *Registry {
	if cfg.KMS == nil {
		cfg.KMS = encryption.NewKMS(encryption.Local{})
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 20000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Registry{svc: svc, cfg: cfg, keks: map[string]kekValue{}, deks: map[dekID]dekValue{}}
	r.tables()
	svc.State().Register(KeyKEK, r.kekRecs)
	svc.State().Register(KeyDEK, r.dekRecs)
	return r
}

// Audit operations of the DEK registry.
const (
	OpKekCreated   registry.Operation = "kek.created"
	OpKekUpdated   registry.Operation = "kek.updated"
	OpKekDeleted   registry.Operation = "kek.deleted"
	OpKekUndeleted registry.Operation = "kek.undeleted"
	OpDekCreated   registry.Operation = "dek.created"
	OpDekDeleted   registry.Operation = "dek.deleted"
	OpDekUndeleted registry.Operation = "dek.undeleted"
)

// Operations lists the operations of the DEK registry's audit entries,
// for callers that validate a filter beside registry.Operations.
func Operations() []registry.Operation {
	return []registry.Operation{OpKekCreated, OpKekUpdated, OpKekDeleted, OpKekUndeleted, OpDekCreated, OpDekDeleted, OpDekUndeleted}
}

// LatestVersion asks for a subject's newest DEK version.
const LatestVersion = -1

// nameMaxLength is Confluent's NAME_MAX_LENGTH.
const nameMaxLength = 256

// CheckName validates a KEK name as Confluent does: a letter or '_' first,
// then letters, digits, '_' and '-', at most 256 characters.
func CheckName(name string) error {
	if name == "" || len([]rune(name)) > nameMaxLength {
		return ErrInvalidKey("name")
	}
	for i, c := range []rune(name) {
		ok := unicode.IsLetter(c) || c == '_' || (i > 0 && (unicode.IsDigit(c) || c == '-'))
		if !ok {
			return ErrInvalidKey("name")
		}
	}
	return nil
}

// CheckSubject validates a DEK subject: not empty, no control characters.
func CheckSubject(subject string) error {
	if subject == "" || strings.IndexFunc(subject, unicode.IsControl) >= 0 {
		return ErrInvalidKey("subject")
	}
	return nil
}

func (r *Registry) now() int64 { return r.cfg.Now().UnixMilli() }

// Page applies Confluent's offset and limit: skip offset, then keep at most
// limit when limit is positive.
func Page[T any](in []T, offset, limit int) []T {
	if offset > 0 {
		if offset >= len(in) {
			return []T{}
		}
		in = in[offset:]
	}
	if limit > 0 && limit < len(in) {
		in = in[:limit]
	}
	return in
}

// ---- KEKs ----

// KekNames lists KEK names, sorted. With subject prefixes, it lists the
// KEKs that have a DEK whose subject starts with one of them.
func (r *Registry) KekNames(prefixes []string, deleted bool) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []string{}
	if len(prefixes) == 0 {
		for _, n := range sortedKeys(r.keks) {
			if deleted || !r.keks[n].Deleted {
				out = append(out, n)
			}
		}
		return out
	}
	seen := map[string]bool{}
	for _, d := range r.deks {
		if (!deleted && d.Deleted) || seen[d.KekName] {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(d.Subject, p) {
				seen[d.KekName] = true
				break
			}
		}
	}
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) kekLocked(name string, deleted bool) (kekValue, bool) {
	k, ok := r.keks[name]
	if !ok || (k.Deleted && !deleted) {
		return kekValue{}, false
	}
	return k, true
}

// Kek returns a KEK; a soft-deleted one only when deleted is true.
func (r *Registry) Kek(name string, deleted bool) (Kek, error) {
	if err := CheckName(name); err != nil {
		return Kek{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kekLocked(name, deleted)
	if !ok {
		return Kek{}, errKeyNotFound(name)
	}
	return k.entity(), nil
}

func normalizeKmsType(t string) string {
	l := strings.ToLower(t)
	switch {
	case strings.HasPrefix(l, "aws"):
		return "aws-kms"
	case strings.HasPrefix(l, "azure"):
		return "azure-kms"
	case strings.HasPrefix(l, "gcp"):
		return "gcp-kms"
	}
	return t
}

// validKeyID is CreateKekRequest.validate: a minimal check of the key id's
// shape for the cloud KMSs.
func validKeyID(kmsType, id string) bool {
	switch kmsType {
	case "aws-kms":
		return strings.HasPrefix(id, "arn:aws:kms:")
	case "azure-kms":
		return strings.HasPrefix(id, "https://")
	case "gcp-kms":
		return strings.HasPrefix(id, "projects/")
	case "hcvault":
		return strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://")
	}
	return true
}

// CreateKek creates a KEK, or undeletes a soft-deleted one created with
// the same fields. testSharing first checks that the registry can reach a
// shared KEK's KMS. Any authenticated principal may create KEKs.
func (r *Registry) CreateKek(ctx context.Context, req CreateKek, testSharing bool) (Kek, error) {
	if err := CheckName(req.Name); err != nil {
		return Kek{}, err
	}
	if req.KmsKeyID == "" {
		return Kek{}, ErrInvalidKey("kmsKeyId")
	}
	if req.KmsType == "" {
		return Kek{}, ErrInvalidKey("kmsType")
	}
	if !validKeyID(req.KmsType, req.KmsKeyID) {
		return Kek{}, ErrInvalidKey("kmsKeyId")
	}
	props := map[string]string{}
	for k, v := range req.KmsProps {
		props[k] = v
	}
	nk := kekValue{Name: req.Name, KmsType: normalizeKmsType(req.KmsType), KmsKeyID: req.KmsKeyID, KmsProps: props, Doc: req.Doc, Shared: req.Shared, Deleted: req.Deleted}
	// Testing the KMS is the request's own check: after the principal,
	// before the decision, once.
	check := func() error {
		if req.Shared && testSharing {
			return r.testKek(kekValue{Name: req.Name, KmsType: req.KmsType, KmsKeyID: req.KmsKeyID, KmsProps: props, Shared: true})
		}
		return nil
	}
	var out kekValue
	err := r.svc.MutateAlone(ctx, check, func(m *registry.Mutation) error {
		r.mu.RLock()
		defer r.mu.RUnlock()
		if len(r.keks) > r.cfg.MaxKeys {
			return errTooManyKeys(r.cfg.MaxKeys)
		}
		if old, ok := r.keks[req.Name]; ok && (req.Deleted == old.Deleted || !old.equivalent(nk)) {
			return errAlreadyExists(req.Name)
		}
		nk.Timestamp = r.now()
		out = nk
		rec, err := r.kekRecord(nk)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: OpKekCreated, After: kekAudit(nk)})
	})
	if err != nil {
		return Kek{}, err
	}
	return out.entity(), nil
}

// TestKek checks that the registry can generate a DEK with a shared KEK.
func (r *Registry) TestKek(ctx context.Context, name string) (Kek, error) {
	if err := CheckName(name); err != nil {
		return Kek{}, err
	}
	if _, err := r.svc.Authenticate(ctx); err != nil {
		return Kek{}, err
	}
	r.mu.RLock()
	k, ok := r.kekLocked(name, false)
	r.mu.RUnlock()
	if !ok {
		return Kek{}, errKeyNotFound(name)
	}
	if err := r.testKek(k); err != nil {
		return Kek{}, err
	}
	return k.entity(), nil
}

func (r *Registry) testKek(k kekValue) error {
	if !k.Shared {
		return ErrInvalidKey("shared")
	}
	_, _, err := r.wrapNew(k, "__TEST", encryption.AES256GCM, nil)
	return err
}

// UpdateKek changes a KEK's kmsProps, doc or shared flag. Admins only.
func (r *Registry) UpdateKek(ctx context.Context, name string, u UpdateKek, testSharing bool) (Kek, error) {
	if err := CheckName(name); err != nil {
		return Kek{}, err
	}
	var out kekValue
	err := r.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("change KEKs"); err != nil {
			return err
		}
		r.mu.RLock()
		defer r.mu.RUnlock()
		old, ok := r.kekLocked(name, false)
		if !ok {
			return errKeyNotFound(name)
		}
		nk := old
		nk.Deleted = false
		if u.SetKmsProps {
			nk.KmsProps = map[string]string{}
			for k, v := range u.KmsProps {
				nk.KmsProps[k] = v
			}
		}
		if u.SetDoc {
			nk.Doc = u.Doc
		}
		if u.Shared != nil {
			nk.Shared = *u.Shared
		}
		if nk.Shared && testSharing {
			if err := r.testKek(nk); err != nil {
				return err
			}
		}
		if nk.equivalent(old) {
			out = old
			return nil
		}
		nk.Timestamp = r.now()
		out = nk
		rec, err := r.kekRecord(nk)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: OpKekUpdated, Before: kekAudit(old), After: kekAudit(nk)})
	})
	if err != nil {
		return Kek{}, err
	}
	return out.entity(), nil
}

// DeleteKek soft-deletes a KEK, or with permanent removes a soft-deleted
// one. A KEK with live DEKs (any DEK, for a permanent delete) is refused
// with 42272. Admins only.
func (r *Registry) DeleteKek(ctx context.Context, name string, permanent bool) error {
	return r.writeKek(ctx, name, "delete KEKs", func(m *registry.Mutation, old kekValue) error {
		for _, d := range r.deks {
			if d.KekName == name && (permanent || !d.Deleted) {
				return errReferenceExists(name)
			}
		}
		audit := registry.AuditEntry{Operation: OpKekDeleted, Permanent: permanent, Before: kekAudit(old)}
		if permanent {
			if !old.Deleted {
				return errNotSoftDeleted(name)
			}
			m.Append(r.kekRecs.Tombstone(name))
			return m.Audit(audit)
		}
		if old.Deleted {
			return nil
		}
		nk := old
		nk.Deleted = true
		nk.Timestamp = r.now()
		rec, err := r.kekRecord(nk)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(audit)
	})
}

// UndeleteKek restores a soft-deleted KEK. Admins only.
func (r *Registry) UndeleteKek(ctx context.Context, name string) error {
	return r.writeKek(ctx, name, "undelete KEKs", func(m *registry.Mutation, old kekValue) error {
		if !old.Deleted {
			return nil
		}
		nk := old
		nk.Deleted = false
		nk.Timestamp = r.now()
		rec, err := r.kekRecord(nk)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: OpKekUndeleted, After: kekAudit(nk)})
	})
}

// writeKek is the shared frame of the KEK deletes and undeletes: it checks
// name, authorizes an admin for action and, in a write holding the read
// lock, finds KEK name (soft-deleted or not), which apply turns into records.
func (r *Registry) writeKek(ctx context.Context, name, action string, apply func(m *registry.Mutation, old kekValue) error) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return r.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.RequireAdmin(action); err != nil {
			return err
		}
		r.mu.RLock()
		defer r.mu.RUnlock()
		old, ok := r.keks[name]
		if !ok {
			return errKeyNotFound(name)
		}
		return apply(m, old)
	})
}

// ---- DEKs ----

// DekSubjects lists the subjects that have DEKs under KEK name, sorted.
func (r *Registry) DekSubjects(name string, deleted bool) ([]string, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.kekLocked(name, deleted); !ok {
		return nil, errKeyNotFound(name)
	}
	seen := map[string]bool{}
	for _, d := range r.deks {
		if d.KekName == name && (deleted || !d.Deleted) {
			seen[d.Subject] = true
		}
	}
	return sortedKeys(seen), nil
}

func algOrDefault(a encryption.Format) encryption.Format {
	if a == "" {
		return encryption.DefaultFormat
	}
	return a
}

// versionsLocked returns the DEKs of kek/subject/alg, oldest first.
func (r *Registry) versionsLocked(kek, subject string, alg encryption.Format, deleted bool) []dekValue {
	var out []dekValue
	for _, d := range r.deks {
		if d.KekName == kek && d.Subject == subject && d.Algorithm == alg && (deleted || !d.Deleted) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// DekVersions lists the versions of a subject's DEKs under KEK name.
func (r *Registry) DekVersions(name, subject string, alg encryption.Format, deleted bool) ([]int, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if err := CheckSubject(subject); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.kekLocked(name, deleted); !ok {
		return nil, errKeyNotFound(name)
	}
	out := []int{}
	for _, d := range r.versionsLocked(name, subject, algOrDefault(alg), deleted) {
		out = append(out, d.Version)
	}
	return out, nil
}

// dekLocked finds one version (LatestVersion for the newest).
func (r *Registry) dekLocked(name, subject string, version int, alg encryption.Format, deleted bool) (dekValue, bool) {
	alg = algOrDefault(alg)
	if version == LatestVersion {
		vs := r.versionsLocked(name, subject, alg, deleted)
		if len(vs) == 0 {
			return dekValue{}, false
		}
		return vs[len(vs)-1], true
	}
	d, ok := r.deks[dekID{kek: name, subject: subject, alg: alg, version: version}]
	if !ok || (d.Deleted && !deleted) {
		return dekValue{}, false
	}
	return d, true
}

// Dek returns one version of a subject's DEK (LatestVersion for the
// newest), with its raw key material when the KEK is shared. Only those who
// may manage the subject's keys may read it.
func (r *Registry) Dek(ctx context.Context, name, subject string, version int, alg encryption.Format, deleted bool) (Dek, error) {
	if err := CheckName(name); err != nil {
		return Dek{}, err
	}
	if err := CheckSubject(subject); err != nil {
		return Dek{}, err
	}
	if _, err := r.svc.AuthorizeSubjectKeys(ctx, subject); err != nil {
		return Dek{}, err
	}
	r.mu.RLock()
	k, ok := r.kekLocked(name, deleted)
	if !ok {
		r.mu.RUnlock()
		return Dek{}, errKeyNotFound(name)
	}
	d, ok := r.dekLocked(name, subject, version, alg, deleted)
	k = r.keks[name]
	r.mu.RUnlock()
	if !ok {
		return Dek{}, errKeyNotFound(subject)
	}
	out := d.entity()
	if k.Shared {
		raw, err := r.unwrap(k, d)
		if err != nil {
			return Dek{}, err
		}
		out.KeyMaterial = base64.StdEncoding.EncodeToString(raw)
	}
	return out, nil
}

// CreateDek creates a DEK version for subject under KEK name. For a shared
// KEK the registry generates the key (or, with rewrap, wraps an existing
// version's key again) and returns its raw material; for a non-shared KEK
// the request carries the wrapped material. Only those who may manage the
// subject's keys may create them.
func (r *Registry) CreateDek(ctx context.Context, name string, req CreateDek, rewrap bool) (Dek, error) {
	if err := CheckName(name); err != nil {
		return Dek{}, err
	}
	if err := CheckSubject(req.Subject); err != nil {
		return Dek{}, err
	}
	alg := algOrDefault(req.Algorithm)
	if _, err := encryption.ParseFormat(string(alg)); err != nil {
		return Dek{}, ErrInvalidKey("algorithm")
	}
	version := 1
	if req.Version != nil {
		version = *req.Version
	}
	if version <= 0 {
		return Dek{}, ErrInvalidKey("version")
	}
	var out Dek
	err := r.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.AuthorizeSubjectKeys(req.Subject); err != nil {
			return err
		}
		mode := m.Snapshot().Mode(req.Subject)
		r.mu.RLock()
		defer r.mu.RUnlock()
		k, ok := r.kekLocked(name, req.Deleted)
		if !ok {
			return errKeyNotFound(name)
		}
		if len(r.deks) > r.cfg.MaxKeys {
			return errTooManyKeys(r.cfg.MaxKeys)
		}
		nd := dekValue{KekName: name, Subject: req.Subject, Version: version, Algorithm: alg, EncryptedKeyMaterial: req.EncryptedKeyMaterial, Deleted: req.Deleted}
		old, exists := r.deks[nd.id()]
		if !rewrap && exists && (req.Deleted == old.Deleted || !old.equivalent(nd)) {
			return errAlreadyExists(req.Subject)
		}
		var raw []byte
		switch {
		case nd.EncryptedKeyMaterial != "":
			if k.Shared && exists {
				return errAlreadyExists(req.Subject)
			}
			if _, err := base64.StdEncoding.DecodeString(nd.EncryptedKeyMaterial); err != nil {
				return ErrInvalidKey("encryptedKeyMaterial")
			}
		case k.Shared:
			var prev []byte
			if exists {
				var err error
				if prev, err = r.unwrap(k, old); err != nil {
					return err
				}
			}
			enc, gen, err := r.wrapNew(k, req.Subject, alg, prev)
			if err != nil {
				return err
			}
			nd.EncryptedKeyMaterial, raw = enc, gen
		default:
			return ErrInvalidKey("encryptedKeyMaterial")
		}
		nd.Timestamp = r.now()
		out = nd.entity()
		if k.Shared && mode != registry.Import {
			// Check the round trip through the KMS before storing.
			back, err := r.unwrap(k, nd)
			if err != nil {
				return err
			}
			if raw == nil {
				raw = back
			}
			out.KeyMaterial = base64.StdEncoding.EncodeToString(raw)
		}
		rec, err := r.dekRecord(nd)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: OpDekCreated, Subject: req.Subject, Version: version, After: dekAudit(nd)})
	})
	if err != nil {
		return Dek{}, err
	}
	return out, nil
}

// DeleteDek soft-deletes every version of a subject's DEK (of one
// algorithm), or with permanent removes them once all are soft-deleted.
func (r *Registry) DeleteDek(ctx context.Context, name, subject string, alg encryption.Format, permanent bool) error {
	return r.deleteDeks(ctx, name, subject, 0, alg, permanent)
}

// DeleteDekVersion is DeleteDek for one version (LatestVersion for the
// newest).
func (r *Registry) DeleteDekVersion(ctx context.Context, name, subject string, version int, alg encryption.Format, permanent bool) error {
	return r.deleteDeks(ctx, name, subject, version, alg, permanent)
}

// writeDeks is the shared frame of the DEK deletes and undeletes: it checks
// name and subject, authorizes the caller for the subject's keys and, in a
// write holding the read lock, finds KEK name and the DEKs the call acts on
// (every version for version 0, else that one, LatestVersion for the
// newest; soft-deleted ones included), which apply turns into records.
func (r *Registry) writeDeks(ctx context.Context, name, subject string, version int, alg encryption.Format,
	apply func(m *registry.Mutation, k kekValue, alg encryption.Format, targets []dekValue) error) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if err := CheckSubject(subject); err != nil {
		return err
	}
	alg = algOrDefault(alg)
	return r.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.AuthorizeSubjectKeys(subject); err != nil {
			return err
		}
		r.mu.RLock()
		defer r.mu.RUnlock()
		k, ok := r.keks[name]
		if !ok {
			return errKeyNotFound(name)
		}
		targets, err := r.targetsLocked(name, subject, version, alg)
		if err != nil {
			return err
		}
		return apply(m, k, alg, targets)
	})
}

// targetsLocked returns the DEKs of kek/subject/alg a call for version acts
// on: all of them, oldest first, for version 0, else that version; when
// there is none it is errKeyNotFound for the subject.
func (r *Registry) targetsLocked(kek, subject string, version int, alg encryption.Format) ([]dekValue, error) {
	if version == 0 {
		if _, ok := r.dekLocked(kek, subject, LatestVersion, alg, true); !ok {
			return nil, errKeyNotFound(subject)
		}
		return r.versionsLocked(kek, subject, alg, true), nil
	}
	d, ok := r.dekLocked(kek, subject, version, alg, true)
	if !ok {
		return nil, errKeyNotFound(subject)
	}
	return []dekValue{d}, nil
}

// deleteDeks deletes one version, or all of them for version 0.
func (r *Registry) deleteDeks(ctx context.Context, name, subject string, version int, alg encryption.Format, permanent bool) error {
	return r.writeDeks(ctx, name, subject, version, alg, func(m *registry.Mutation, _ kekValue, alg encryption.Format, targets []dekValue) error {
		var recs []storage.Record
		var versions []int
		for _, d := range targets {
			if permanent && !d.Deleted {
				return errNotSoftDeleted(subject)
			}
		}
		for _, d := range targets {
			if permanent {
				recs = append(recs, r.dekRecs.Tombstone(d.id()))
			} else if !d.Deleted {
				nd := d
				nd.Deleted = true
				nd.Timestamp = r.now()
				rec, err := r.dekRecord(nd)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			} else {
				continue
			}
			versions = append(versions, d.Version)
		}
		if len(recs) == 0 {
			return nil
		}
		m.Append(recs...)
		return m.Audit(registry.AuditEntry{Operation: OpDekDeleted, Subject: subject, Versions: versions, Permanent: permanent, After: dekAudit(dekValue{KekName: name, Subject: subject, Algorithm: alg})})
	})
}

// UndeleteDek restores every soft-deleted version of a subject's DEK; the
// KEK must not be deleted (40472).
func (r *Registry) UndeleteDek(ctx context.Context, name, subject string, alg encryption.Format) error {
	return r.undeleteDeks(ctx, name, subject, 0, alg)
}

// UndeleteDekVersion restores one version.
func (r *Registry) UndeleteDekVersion(ctx context.Context, name, subject string, version int, alg encryption.Format) error {
	return r.undeleteDeks(ctx, name, subject, version, alg)
}

func (r *Registry) undeleteDeks(ctx context.Context, name, subject string, version int, alg encryption.Format) error {
	return r.writeDeks(ctx, name, subject, version, alg, func(m *registry.Mutation, k kekValue, alg encryption.Format, targets []dekValue) error {
		if k.Deleted {
			return errSoftDeleted(name)
		}
		var recs []storage.Record
		var versions []int
		for _, d := range targets {
			if !d.Deleted {
				continue
			}
			nd := d
			nd.Deleted = false
			nd.Timestamp = r.now()
			rec, err := r.dekRecord(nd)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
			versions = append(versions, d.Version)
		}
		if len(recs) == 0 {
			return nil
		}
		m.Append(recs...)
		return m.Audit(registry.AuditEntry{Operation: OpDekUndeleted, Subject: subject, Versions: versions, After: dekAudit(dekValue{KekName: name, Subject: subject, Algorithm: alg})})
	})
}

// ---- KMS ----

// wrapNew wraps raw key material (fresh material of alg when raw is nil)
// with the KEK and returns it base64-encoded, with the raw material.
func (r *Registry) wrapNew(k kekValue, subject string, alg encryption.Format, raw []byte) (string, []byte, error) {
	fail := func(err error) (string, []byte, error) {
		return "", nil, errGeneration("Could not generate encrypted dek for "+subject, err)
	}
	a, err := r.cfg.KMS.AEAD(k.KmsType, k.KmsKeyID, k.KmsProps)
	if err != nil {
		return fail(err)
	}
	if raw == nil {
		if raw, err = alg.NewKey(); err != nil {
			return fail(err)
		}
	}
	enc, err := a.Encrypt(raw, []byte{})
	if err != nil {
		return fail(err)
	}
	return base64.StdEncoding.EncodeToString(enc), raw, nil
}

// unwrap decrypts a DEK's key material with its KEK.
func (r *Registry) unwrap(k kekValue, d dekValue) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, errGeneration("Could not generate raw dek for "+d.Subject, err)
	}
	enc, err := base64.StdEncoding.DecodeString(d.EncryptedKeyMaterial)
	if err != nil {
		return fail(err)
	}
	a, err := r.cfg.KMS.AEAD(k.KmsType, k.KmsKeyID, k.KmsProps)
	if err != nil {
		return fail(err)
	}
	raw, err := a.Decrypt(enc, []byte{})
	if err != nil {
		return fail(err)
	}
	return raw, nil
}

// ---- audit ----

// kekAudit is what an audit entry shows of a KEK: no kmsProps, which may
// hold credentials. It is marshalled, not formatted: Go's %q quoting is not
// JSON, and a name with an astral or control character made the audit
// record fail to encode (a 500 that schemathesis found).
func kekAudit(k kekValue) []byte {
	b, _ := json.Marshal(struct {
		Name     string `json:"name"`
		KmsType  string `json:"kmsType"`
		KmsKeyID string `json:"kmsKeyId"`
		Shared   bool   `json:"shared"`
		Deleted  bool   `json:"deleted"`
	}{k.Name, k.KmsType, k.KmsKeyID, k.Shared, k.Deleted})
	return b
}

// dekAudit is what an audit entry shows of a DEK: no key material.
func dekAudit(d dekValue) []byte {
	b, _ := json.Marshal(struct {
		KekName   string `json:"kekName"`
		Subject   string `json:"subject"`
		Algorithm string `json:"algorithm"`
		Version   int    `json:"version"`
	}{d.KekName, d.Subject, string(d.Algorithm), d.Version})
	return b
}
