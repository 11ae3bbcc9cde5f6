package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/charter-registry/charter/storage"
)

// classify wraps err from operation op. Failures that a retry may cure (an
// unreachable or restarting broker, a leader election, a deadline that
// passed while waiting for one) wrap storage.ErrUnavailable as well as err.
// A refusal that no retry cures (authorization, a record too large, a bad
// config) and a caller's own cancellation wrap only err.
func classify(op string, err error) error {
	if transient(err) {
		return fmt.Errorf("kafka: %s: %w: %w", op, storage.ErrUnavailable, err)
	}
	return fmt.Errorf("kafka: %s: %w", op, err)
}

// transient reports whether err is worth retrying.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Retriable
	}
	// A broker certificate that does not verify is a configuration
	// error: trying again will not change the certificate.
	if errors.As(err, new(*tls.CertificateVerificationError)) ||
		errors.As(err, new(x509.UnknownAuthorityError)) ||
		errors.As(err, new(x509.HostnameError)) ||
		errors.As(err, new(x509.CertificateInvalidError)) {
		return false
	}
	// Dial and connection errors, timeouts, the producer's record
	// timeout and retry limit: the cluster did not answer.
	return true
}

// retry calls fn until it succeeds, fails for good, or ctx ends, backing
// off between tries. When ctx ends, the error wraps both ctx.Err() and
// fn's last error.
func retry(ctx context.Context, fn func(context.Context) error) error {
	backoff := 50 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || !transient(err) || errors.As(err, new(*TopicError)) {
			return err
		}
		if ctx.Err() != nil {
			return lastErr(ctx, err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return lastErr(ctx, err)
		case <-t.C:
		}
		backoff = min(2*backoff, time.Second)
	}
}

// lastErr joins ctx's error with the last error seen before it ended.
func lastErr(ctx context.Context, err error) error {
	if errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w; last error: %w", ctx.Err(), err)
}
