package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/charter-registry/charter/contracts/client"
)

// errorText is what the CLI prints for err. A registry's error answer
// reads as it always has in the CLI: "METHOD URL: message (error CODE,
// HTTP STATUS)" for a Confluent error body, "METHOD URL: HTTP STATUS:
// body" for any other, with the query string left out of the URL and a
// long body cut, whatever the client library's own wording.
func errorText(err error) string {
	text := err.Error()
	var re *client.ResponseError
	if !errors.As(err, &re) {
		return text
	}
	return strings.Replace(text, re.Error(), registryErrorText(re), 1)
}

func registryErrorText(re *client.ResponseError) string {
	where := re.Method + " " + re.URL
	if u, err := url.Parse(re.URL); err == nil {
		u.RawQuery = ""
		where = re.Method + " " + u.Redacted()
	}
	var body struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(re.Raw, &body) == nil && (body.ErrorCode != 0 || body.Message != "") {
		if body.ErrorCode != 0 {
			return fmt.Sprintf("%s: %s (error %d, HTTP %d)", where, body.Message, body.ErrorCode, re.StatusCode)
		}
		return fmt.Sprintf("%s: HTTP %d: %s", where, re.StatusCode, body.Message)
	}
	msg := strings.TrimSpace(string(re.Raw))
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if msg == "" {
		msg = http.StatusText(re.StatusCode)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", where, re.StatusCode, msg)
}
