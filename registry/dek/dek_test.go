package dek_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

var (
	admin    = registry.Principal{Name: "root", Admin: true}
	payments = registry.Principal{Name: "pay-ci", Teams: []string{"payments"}}
	shipping = registry.Principal{Name: "ship-ci", Teams: []string{"shipping"}}
)

func as(p registry.Principal) context.Context { return registry.WithPrincipal(context.Background(), p) }

func ptr[T any](v T) *T { return &v }

// start runs a Service with the DEK registry attached over log until the
// test ends or stop is called.
func start(t *testing.T, log storage.Log, access registry.AccessConfig) (*registry.Service, *dek.Registry, func()) {
	t.Helper()
	return registrytest.RunStoppable(t, registrytest.WithLog(log), registrytest.WithAccess(access), registrytest.WithReadyTimeout(time.Minute))
}

func wantCode(t *testing.T, what string, err error, code registry.Code) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return
	}
	var re *registry.Error
	if !errors.As(err, &re) || re.Code != code {
		t.Fatalf("%s: got %v, want code %d", what, err, code)
	}
}

var wrapped = base64.StdEncoding.EncodeToString([]byte("client-wrapped"))

// TestATeamManagesOnlyTheKeysOfItsSubjects: with authorization on, the
// team owning a subject's topic may create and read its DEKs, another
// team may do neither, and KEK changes other than creation are for admins.
func TestATeamManagesOnlyTheKeysOfItsSubjects(t *testing.T) {
	log := registrytest.OpenFile(t, t.TempDir())
	defer log.Close()
	svc, keys, _ := start(t, log, registry.AccessConfig{Enforce: true, Unowned: registry.UnownedAdminOnly})
	for _, team := range []string{"payments", "shipping"} {
		_, err := gov(svc).CreateTeam(as(admin), governance.Team{Name: team})
		wantCode(t, "create team", err, 0)
	}
	_, err := gov(svc).CreateTopic(as(payments), "orders", governance.TopicUpdate{})
	wantCode(t, "create topic", err, 0)

	_, err = keys.CreateKek(context.Background(), dek.CreateKek{Name: "k", KmsType: "local-kms", KmsKeyID: "local-kms://k"}, false)
	wantCode(t, "anonymous creates a KEK", err, registry.CodeUnauthorized)
	_, err = keys.CreateKek(as(payments), dek.CreateKek{Name: "k", KmsType: "local-kms", KmsKeyID: "local-kms://k"}, false)
	wantCode(t, "payments creates a KEK", err, 0)

	_, err = keys.CreateDek(as(shipping), "k", dek.CreateDek{Subject: "orders-value", EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "shipping creates a DEK of orders-value", err, registry.CodeForbidden)
	_, err = keys.CreateDek(as(payments), "k", dek.CreateDek{Subject: "orders-value", EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "payments creates a DEK of orders-value", err, 0)
	_, err = keys.Dek(as(shipping), "k", "orders-value", 1, "", false)
	wantCode(t, "shipping reads the DEK of orders-value", err, registry.CodeForbidden)
	_, err = keys.Dek(as(payments), "k", "orders-value", 1, "", false)
	wantCode(t, "payments reads the DEK of orders-value", err, 0)
	// A context-qualified spelling of the subject belongs to the same owner.
	_, err = keys.CreateDek(as(shipping), "k", dek.CreateDek{Subject: ":.staging:orders-value", EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "shipping creates a DEK of :.staging:orders-value", err, registry.CodeForbidden)
	err = keys.DeleteDek(as(shipping), "k", "orders-value", "", false)
	wantCode(t, "shipping deletes the DEK of orders-value", err, registry.CodeForbidden)
	// Unowned subjects follow the unowned policy (admin-only here).
	_, err = keys.CreateDek(as(payments), "k", dek.CreateDek{Subject: "loose", EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "payments creates a DEK of an unowned subject", err, registry.CodeForbidden)
	_, err = keys.CreateDek(as(admin), "k", dek.CreateDek{Subject: "loose", EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "admin creates a DEK of an unowned subject", err, 0)

	err = keys.DeleteKek(as(payments), "k", false)
	wantCode(t, "payments deletes a KEK", err, registry.CodeForbidden)
	_, err = keys.UpdateKek(as(payments), "k", dek.UpdateKek{SetDoc: true, Doc: ptr("x")}, false)
	wantCode(t, "payments updates a KEK", err, registry.CodeForbidden)
	_, err = keys.UpdateKek(as(admin), "k", dek.UpdateKek{SetDoc: true, Doc: ptr("x")}, false)
	wantCode(t, "admin updates a KEK", err, 0)

	// Every key write is in the audit trail, without key material.
	var ops []string
	for _, e := range gov(svc).Audit(governance.AuditFilter{Limit: 1000}) {
		if strings.HasPrefix(string(e.Operation), "kek.") || strings.HasPrefix(string(e.Operation), "dek.") {
			ops = append(ops, string(e.Operation)+" by "+e.Principal)
			if strings.Contains(string(e.After), wrapped) {
				t.Errorf("audit entry shows key material: %s", e.After)
			}
		}
	}
	if got := strings.Join(ops, ", "); got != "kek.updated by root, dek.created by root, dek.created by pay-ci, kek.created by pay-ci" {
		t.Errorf("audit: %s", got)
	}
}

// keysSnapshot is everything the DEK registry serves.
type keysSnapshot struct {
	Keks   []dek.Kek
	Deks   []dek.Dek
	Digest string
}

func snapshot(t *testing.T, svc *registry.Service, keys *dek.Registry) keysSnapshot {
	t.Helper()
	var s keysSnapshot
	for _, n := range keys.KekNames(nil, true) {
		k, err := keys.Kek(n, true)
		wantCode(t, "get KEK", err, 0)
		s.Keks = append(s.Keks, k)
		subjects, err := keys.DekSubjects(n, true)
		wantCode(t, "DEK subjects", err, 0)
		for _, sub := range subjects {
			for _, alg := range []string{"AES128_GCM", "AES256_GCM", "AES256_SIV"} {
				vs, err := keys.DekVersions(n, sub, encryptionFormat(alg), true)
				wantCode(t, "DEK versions", err, 0)
				for _, v := range vs {
					d, err := keys.Dek(as(admin), n, sub, v, encryptionFormat(alg), true)
					wantCode(t, "get DEK", err, 0)
					s.Deks = append(s.Deks, d)
				}
			}
		}
	}
	s.Digest = svc.State().Digest()
	return s
}

func same(t *testing.T, what string, got, want keysSnapshot) {
	t.Helper()
	registrytest.SameJSON(t, what+": keys differ", got, want)
}

// keyHistory makes writes whose results must survive: KEKs (one shared,
// one deleted for good), DEK versions of three algorithms, soft deletes.
func keyHistory(t *testing.T, keys *dek.Registry) {
	t.Helper()
	ctx := as(admin)
	steps := []func() error{
		func() error {
			_, err := keys.CreateKek(ctx, dek.CreateKek{Name: "k", KmsType: "local-kms", KmsKeyID: "local-kms://k"}, false)
			return err
		},
		func() error {
			_, err := keys.CreateKek(ctx, dek.CreateKek{Name: "shared", KmsType: "local-kms", KmsKeyID: "local-kms://s", Shared: true, KmsProps: map[string]string{"secret": "s3cret"}}, false)
			return err
		},
		func() error {
			_, err := keys.CreateKek(ctx, dek.CreateKek{Name: "gone", KmsType: "local-kms", KmsKeyID: "local-kms://g"}, false)
			return err
		},
		func() error { return keys.DeleteKek(ctx, "gone", false) },
		func() error { return keys.DeleteKek(ctx, "gone", true) },
		func() error {
			_, err := keys.CreateDek(ctx, "k", dek.CreateDek{Subject: "orders-value", EncryptedKeyMaterial: wrapped}, false)
			return err
		},
		func() error {
			_, err := keys.CreateDek(ctx, "k", dek.CreateDek{Subject: "orders-value", Version: ptr(2), EncryptedKeyMaterial: wrapped}, false)
			return err
		},
		func() error {
			_, err := keys.CreateDek(ctx, "k", dek.CreateDek{Subject: "a/b:c", Algorithm: "AES256_SIV", EncryptedKeyMaterial: wrapped}, false)
			return err
		},
		func() error {
			_, err := keys.CreateDek(ctx, "shared", dek.CreateDek{Subject: "orders-value", Algorithm: "AES128_GCM"}, false)
			return err
		},
		func() error { return keys.DeleteDekVersion(ctx, "k", "orders-value", 1, "", false) },
		func() error {
			_, err := keys.UpdateKek(ctx, "k", dek.UpdateKek{SetDoc: true, Doc: ptr("orders")}, false)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

// TestKeysSurviveRestartAndCompaction replays the keys from a file log,
// then from the same log compacted.
func TestKeysSurviveRestartAndCompaction(t *testing.T) {
	dir := t.TempDir()
	open := func() *file.Log { return registrytest.OpenFile(t, dir) }
	l := open()
	svc, keys, stop := start(t, l, registry.AccessConfig{})
	keyHistory(t, keys)
	before := snapshot(t, svc, keys)
	if len(before.Keks) != 2 || len(before.Deks) != 4 {
		t.Fatalf("history: %d KEKs, %d DEKs", len(before.Keks), len(before.Deks))
	}
	stop()
	_ = l.Close()

	l = open()
	svc, keys, stop = start(t, l, registry.AccessConfig{})
	same(t, "after restart", snapshot(t, svc, keys), before)
	stop()
	if err := l.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()

	l = open()
	defer l.Close()
	svc, keys, _ = start(t, l, registry.AccessConfig{})
	same(t, "after compaction", snapshot(t, svc, keys), before)
	// The replayed registry still refuses and allows as before.
	_, err := keys.CreateDek(as(admin), "k", dek.CreateDek{Subject: "orders-value", Version: ptr(2), EncryptedKeyMaterial: wrapped}, false)
	wantCode(t, "recreate a replayed DEK", err, dek.CodeAlreadyExists)
	_, err = keys.Kek("gone", true)
	wantCode(t, "a permanently deleted KEK stays gone", err, dek.CodeKeyNotFound)
}

// TestKeysOnThreeInstancesOfOneKafkaTopic writes keys through three
// instances sharing one topic; each sees every key, and a duplicate create
// on another instance conflicts.
func TestKeysOnThreeInstancesOfOneKafkaTopic(t *testing.T) {
	for name, brokers := range registrytest.KafkaClusters(t) {
		t.Run(name, func(t *testing.T) {
			topic := fmt.Sprintf("_schemas_dek_%d", time.Now().UnixNano())
			var svcs []*registry.Service
			var regs []*dek.Registry
			for range 3 {
				s, k, _ := start(t, registrytest.OpenKafka(t, brokers, topic), registry.AccessConfig{})
				svcs, regs = append(svcs, s), append(regs, k)
			}
			ctx := as(admin)
			_, err := regs[0].CreateKek(ctx, dek.CreateKek{Name: "k", KmsType: "local-kms", KmsKeyID: "local-kms://k"}, false)
			wantCode(t, "create KEK on a", err, 0)
			_, err = regs[1].CreateKek(ctx, dek.CreateKek{Name: "k", KmsType: "local-kms", KmsKeyID: "local-kms://k"}, false)
			wantCode(t, "create the same KEK on b", err, dek.CodeAlreadyExists)
			_, err = regs[1].CreateDek(ctx, "k", dek.CreateDek{Subject: "orders-value", EncryptedKeyMaterial: wrapped}, false)
			wantCode(t, "create DEK on b", err, 0)
			_, err = regs[2].CreateDek(ctx, "k", dek.CreateDek{Subject: "orders-value", Version: ptr(2), EncryptedKeyMaterial: wrapped}, false)
			wantCode(t, "create DEK version 2 on c", err, 0)
			_, err = regs[0].CreateDek(ctx, "k", dek.CreateDek{Subject: "orders-value", Version: ptr(2), EncryptedKeyMaterial: wrapped}, false)
			wantCode(t, "create DEK version 2 again on a", err, dek.CodeAlreadyExists)
			// A write on one instance that conflicts proves it saw the
			// others; now bring every instance to the same position.
			end, err := svcs[2].LogEnd(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range svcs {
				registrytest.WaitApplied(t, s, end)
			}
			want := snapshot(t, svcs[0], regs[0])
			if len(want.Deks) != 2 {
				t.Fatalf("instance a has %d DEKs", len(want.Deks))
			}
			for i := 1; i < 3; i++ {
				same(t, fmt.Sprintf("instance %d", i), snapshot(t, svcs[i], regs[i]), want)
			}
		})
	}
}

func encryptionFormat(s string) encryption.Format { return encryption.Format(s) }
