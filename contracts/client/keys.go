package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Kek is a key encryption key of the DEK registry (/dek-registry/v1).
type Kek struct {
	Name     string            `json:"name"`
	KmsType  string            `json:"kmsType"`
	KmsKeyID string            `json:"kmsKeyId"`
	KmsProps map[string]string `json:"kmsProps,omitempty"`
	Doc      string            `json:"doc,omitempty"`
	Shared   bool              `json:"shared"`
	Ts       int64             `json:"ts,omitempty"`
	Deleted  bool              `json:"deleted,omitempty"`
}

// Dek is a data encryption key of the DEK registry. KeyMaterial (the raw
// key, base64) is set only by a registry that can unwrap the key (a
// shared KEK).
type Dek struct {
	KekName              string `json:"kekName"`
	Subject              string `json:"subject"`
	Version              int    `json:"version"`
	Algorithm            string `json:"algorithm"`
	EncryptedKeyMaterial string `json:"encryptedKeyMaterial,omitempty"`
	KeyMaterial          string `json:"keyMaterial,omitempty"`
	Ts                   int64  `json:"ts,omitempty"`
	Deleted              bool   `json:"deleted,omitempty"`
}

// Kek returns a KEK; a soft-deleted one only with deleted.
func (c *Client) Kek(ctx context.Context, name string, deleted bool) (*Kek, error) {
	var k Kek
	path := "/dek-registry/v1/keks/" + url.PathEscape(name) + "?deleted=" + strconv.FormatBool(deleted)
	if err := c.do(ctx, http.MethodGet, path, nil, &k); err != nil {
		return nil, fmt.Errorf("kek %q: %w", name, err)
	}
	return &k, nil
}

// CreateKek creates a KEK.
func (c *Client) CreateKek(ctx context.Context, k Kek) (*Kek, error) {
	var out Kek
	body := map[string]any{"name": k.Name, "kmsType": k.KmsType, "kmsKeyId": k.KmsKeyID, "kmsProps": k.KmsProps, "shared": k.Shared}
	if k.Doc != "" {
		body["doc"] = k.Doc
	}
	if err := c.do(ctx, http.MethodPost, "/dek-registry/v1/keks", body, &out); err != nil {
		return nil, fmt.Errorf("create kek %q: %w", k.Name, err)
	}
	return &out, nil
}

// Dek returns a version of subject's DEK under KEK kek (-1 for the
// latest), of algorithm (empty for the registry's default).
func (c *Client) Dek(ctx context.Context, kek, subject string, version int, algorithm string, deleted bool) (*Dek, error) {
	var d Dek
	v := strconv.Itoa(version)
	if version == -1 {
		v = "latest"
	}
	q := url.Values{}
	if algorithm != "" {
		q.Set("algorithm", algorithm)
	}
	q.Set("deleted", strconv.FormatBool(deleted))
	path := "/dek-registry/v1/keks/" + url.PathEscape(kek) + "/deks/" + url.PathEscape(subject) + "/versions/" + v + "?" + q.Encode()
	if err := c.do(ctx, http.MethodGet, path, nil, &d); err != nil {
		return nil, fmt.Errorf("dek %q/%q version %s: %w", kek, subject, v, err)
	}
	return &d, nil
}

// CreateDek creates a DEK version. encryptedKeyMaterial is empty when the
// registry generates the key (a shared KEK).
func (c *Client) CreateDek(ctx context.Context, kek, subject string, version int, algorithm, encryptedKeyMaterial string) (*Dek, error) {
	var d Dek
	body := map[string]any{"subject": subject, "version": version, "algorithm": algorithm}
	if encryptedKeyMaterial != "" {
		body["encryptedKeyMaterial"] = encryptedKeyMaterial
	}
	path := "/dek-registry/v1/keks/" + url.PathEscape(kek) + "/deks/" + url.PathEscape(subject)
	if err := c.do(ctx, http.MethodPost, path, body, &d); err != nil {
		return nil, fmt.Errorf("create dek %q/%q version %d: %w", kek, subject, version, err)
	}
	return &d, nil
}
