package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

func (s *Server) webhookRoutes(e *echo.Echo) {
	e.GET("/v1/webhooks", s.listWebhooks)
	e.POST("/v1/webhooks", s.createWebhook)
	e.GET("/v1/webhooks/:webhook", s.getWebhook)
	e.DELETE("/v1/webhooks/:webhook", s.deleteWebhook)
	e.GET("/v1/webhooks/:webhook/deliveries", s.listDeliveries)
	e.POST("/v1/webhooks/:webhook/deliveries/:position/replay", s.replayDelivery)
}

func (s *Server) listWebhooks(c *echo.Context) error {
	out, err := s.gov.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) createWebhook(c *echo.Context) error {
	var b governance.WebhookCreate
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.gov.CreateWebhook(c.Request().Context(), b)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getWebhook(c *echo.Context) error {
	out, err := s.gov.Webhook(c.Request().Context(), c.Param("webhook"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) deleteWebhook(c *echo.Context) error {
	out, err := s.gov.DeleteWebhook(c.Request().Context(), c.Param("webhook"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) listDeliveries(c *echo.Context) error {
	failed, err := boolQuery(c, "failed")
	if err != nil {
		return err
	}
	out, err := s.gov.Deliveries(c.Request().Context(), c.Param("webhook"), failed)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) replayDelivery(c *echo.Context) error {
	pos, err := strconv.ParseInt(c.Param("position"), 10, 64)
	if err != nil || pos < 0 {
		return registry.Errorf(registry.CodeNotFound, "Webhook '%s' has no delivery at position '%s'", c.Param("webhook"), c.Param("position"))
	}
	out, err := s.gov.Replay(c.Request().Context(), c.Param("webhook"), pos)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// WebhookSender delivers webhook requests over HTTP: a POST with the
// given headers, answered by its status. Redirects are not followed, so a
// delivery goes only where the admin pointed it.
type WebhookSender struct {
	Client *http.Client
}

// NewWebhookSender sends with a client that gives each request timeout.
func NewWebhookSender(timeout time.Duration) WebhookSender {
	return WebhookSender{Client: &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send implements governance.Sender.
func (w WebhookSender) Send(ctx context.Context, url string, body []byte, header map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "charter-webhooks")
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}
