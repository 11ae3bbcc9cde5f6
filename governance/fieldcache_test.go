package governance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// TestFieldsAnswerIsCachedPerSchema lists a topic's fields twice, edits
// the first answer, and checks that the second is unchanged; a new
// version is listed as soon as it is the latest; a tag shared by many
// fields lists each path once.
func TestFieldsAnswerIsCachedPerSchema(t *testing.T) {
	t.Parallel()
	svc := runService(t, memLog(), registry.AccessConfig{})
	seedCatalog(t, svc)
	record := func(n int) string {
		var sb strings.Builder
		sb.WriteString(`{"type":"record","name":"Order","fields":[`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"name":"f%d","type":"int","default":0,"confluent:tags":["PII"]}`, i)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	if _, err := svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: record(300)}); err != nil {
		t.Fatal(err)
	}
	value := func(tf governance.TopicFields) governance.SubjectFields {
		t.Helper()
		for _, s := range tf.Subjects {
			if s.Subject == "orders-value" {
				return s
			}
		}
		t.Fatalf("no orders-value in %+v", tf.Subjects)
		return governance.SubjectFields{}
	}
	first, err := gov(svc).Fields(governance.Everyone(), "orders")
	wantCode(t, "fields", err, 0)
	if len(value(first).Fields) != 300 || len(first.ByTag["PII"]) != 300 {
		t.Fatalf("first answer: %d fields, PII on %d paths", len(value(first).Fields), len(first.ByTag["PII"]))
	}
	value(first).Fields[0].Name = "edited"
	value(first).Fields[1].Tags[0] = "edited"
	again, err := gov(svc).Fields(governance.Everyone(), "orders")
	wantCode(t, "fields again", err, 0)
	if f := value(again).Fields; f[0].Name != "f0" || f[1].Tags[0] != "PII" {
		t.Errorf("an edit of one answer reached the next: %+v %+v", f[0], f[1])
	}
	if _, err := svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: record(301)}); err != nil {
		t.Fatal(err)
	}
	next, err := gov(svc).Fields(governance.Everyone(), "orders")
	wantCode(t, "fields after a new version", err, 0)
	if s := value(next); s.Version != 2 || len(s.Fields) != 301 || len(next.ByTag["PII"]) != 301 {
		t.Errorf("after v2: version %d with %d fields, PII on %d paths", s.Version, len(s.Fields), len(next.ByTag["PII"]))
	}
}
