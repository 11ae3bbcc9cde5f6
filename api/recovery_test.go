package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// failingLog is a log whose appends and probe fail while fail holds an
// error, as the file log's do while its disk is full.
type failingLog struct {
	storage.Log
	fail atomic.Pointer[error]
}

func (l *failingLog) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	if e := l.fail.Load(); e != nil {
		return 0, *e
	}
	return l.Log.Append(ctx, recs...)
}

func (l *failingLog) Probe(context.Context) error {
	if e := l.fail.Load(); e != nil {
		return *e
	}
	return nil
}

// rawDo makes a request whose 5xx answer is the expected one.
func rawDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestReadinessAndWritesFollowTheLogsHealth(t *testing.T) {
	log := &failingLog{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey))}
	h := newHarnessOn(t, log)
	h.register("orders-value", recordV1)

	cause := fmt.Errorf("file: write /data/records.log: %w: write: no space left on device", storage.ErrUnavailable)
	log.fail.Store(&cause)
	status, body := rawDo(t, "POST", h.srv.URL+"/subjects/orders-value/versions", `{"schema":`+quote(recordV2Default)+`}`)
	if status != 500 || !strings.Contains(body, `"error_code":50001`) || !strings.Contains(body, "/data/records.log") {
		t.Errorf("register while the disk is full: %d %s; want 500 50001 naming the data file", status, body)
	}
	status, body = rawDo(t, "GET", h.srv.URL+"/readyz", "")
	if status != 503 || !strings.Contains(body, "log unavailable") || !strings.Contains(body, "no space left") {
		t.Errorf("/readyz while writes fail: %d %s; want 503 with the cause", status, body)
	}
	// Reads are still served from memory.
	if r := h.do("GET", "/subjects/orders-value/versions/latest", nil); r.status != 200 {
		t.Errorf("read while writes fail: %d %s", r.status, r.body)
	}

	log.fail.Store(nil)
	if status, body := rawDo(t, "GET", h.srv.URL+"/readyz", ""); status != 200 {
		t.Errorf("/readyz once the cause is gone: %d %s", status, body)
	}
	if _, v := h.register("orders-value", recordV2Default); v != 2 {
		t.Errorf("write after recovery got version %d, want 2", v)
	}
}

func quote(s string) string {
	return fmt.Sprintf("%q", s)
}
