package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

// inProcess is a charter on a memory log, served by the real API handler.
type inProcess struct {
	*server
	svc    *registry.Service
	cancel context.CancelFunc
	ran    chan struct{}
}

// startCharter starts charter and waits until it is ready.
func startCharter(ctx context.Context) (*inProcess, error) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	svc, err := registry.NewService(registry.ServiceConfig{Log: log, Formats: charter.Formats()})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	c := &inProcess{svc: svc, cancel: cancel, ran: make(chan struct{})}
	go func() { _ = svc.Run(rctx); close(c.ran) }()
	wctx, wcancel := context.WithTimeout(rctx, 30*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		c.close(ctx)
		return nil, fmt.Errorf("wait for charter: %w", err)
	}
	c.server, err = listen(api.New(svc, api.Config{OpenAPI: charter.OpenAPI()}).Handler())
	if err != nil {
		c.close(ctx)
		return nil, err
	}
	return c, nil
}

// close stops the HTTP server and the service.
func (c *inProcess) close(ctx context.Context) error {
	var err error
	if c.server != nil {
		err = c.server.stop(ctx)
	}
	c.cancel()
	<-c.ran
	return err
}

// preload registers n schemas of the given format, one subject each, and
// returns their ids.
func (c *inProcess) preload(ctx context.Context, typ compat.Type, n int) ([]int, error) {
	ids := make([]int, 0, n)
	for i := range n {
		req := registry.RegisterRequest{Schema: sampleSchema(typ, i), SchemaType: typ}
		s, err := c.svc.Register(ctx, "loadtest-"+strconv.Itoa(i)+"-value", req)
		if err != nil {
			return nil, err
		}
		ids = append(ids, s.ID)
	}
	return ids, nil
}

// sampleSchema returns a schema of about 300 bytes; n makes it distinct.
func sampleSchema(typ compat.Type, n int) string {
	switch typ {
	case compat.Protobuf:
		return fmt.Sprintf("syntax = \"proto3\";\npackage acme.sales.v%d;\n\n"+
			"message Order {\n  string id = 1;\n  int64 customer = 2;\n  double amount = 3;\n"+
			"  string currency = 4;\n  optional string note = 5;\n  int64 placed_at = 6;\n"+
			"  repeated string tags = 7;\n}\n", n)
	case compat.JSON:
		return fmt.Sprintf(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Order%d","type":"object",`+
			`"properties":{"id":{"type":"string"},"customer":{"type":"integer"},"amount":{"type":"number"},`+
			`"currency":{"enum":["EUR","USD","GBP"]},"note":{"type":["null","string"]}},`+
			`"required":["id","customer"]}`, n)
	default:
		return fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales.v%d","fields":[`+
			`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
			`{"name":"amount","type":"double","default":0},`+
			`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},`+
			`{"name":"note","type":["null","string"],"default":null}]}`, n)
	}
}

// remoteIDs reads up to n distinct schema ids from a running charter.
func remoteIDs(ctx context.Context, client *http.Client, base string, n int) ([]int, error) {
	body, _, err := get(ctx, client, base+"/schemas")
	if err != nil {
		return nil, err
	}
	var schemas []struct {
		ID int `json:"id"`
	}
	if err := json.Unmarshal(body, &schemas); err != nil {
		return nil, fmt.Errorf("decode GET /schemas: %w", err)
	}
	var ids []int
	for _, s := range schemas {
		if s.ID > 0 && !slices.Contains(ids, s.ID) {
			ids = append(ids, s.ID)
		}
		if len(ids) == n {
			break
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s has no schemas; register some first", base)
	}
	return ids, nil
}

// typicalResponse fetches up to 32 of the ids and returns the body of
// median size and its content type: what the ceiling server will send.
func typicalResponse(ctx context.Context, client *http.Client, base string, ids []int) ([]byte, string, error) {
	type sample struct {
		body []byte
		ct   string
	}
	var samples []sample
	for _, id := range ids[:min(len(ids), 32)] {
		body, ct, err := get(ctx, client, base+"/schemas/ids/"+strconv.Itoa(id))
		if err != nil {
			return nil, "", err
		}
		samples = append(samples, sample{body, ct})
	}
	slices.SortFunc(samples, func(a, b sample) int { return len(a.body) - len(b.body) })
	m := samples[len(samples)/2]
	return m.body, m.ct, nil
}

func get(ctx context.Context, client *http.Client, u string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, "", err
	}
	if res.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: %s: %.200s", u, res.Status, body)
	}
	return body, res.Header.Get("Content-Type"), nil
}
