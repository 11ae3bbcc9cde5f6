package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/contracts/client"
)

// The CLI's wording of a registry's error answer predates its move to
// contracts/client and stays as it was.
func TestErrorTextKeepsTheCLIsWording(t *testing.T) {
	long := strings.Repeat("x", 310)
	cases := []struct {
		name string
		re   *client.ResponseError
		want string
	}{
		{"confluent body", &client.ResponseError{Method: "GET", URL: "http://127.0.0.1:8081/subjects/nope/versions/latest?deleted=true", StatusCode: 404, ErrorCode: 40401,
			Message: "Subject 'nope' not found.", Raw: []byte(`{"error_code":40401,"message":"Subject 'nope' not found."}`)},
			"GET http://127.0.0.1:8081/subjects/nope/versions/latest: Subject 'nope' not found. (error 40401, HTTP 404)"},
		{"plain body", &client.ResponseError{Method: "POST", URL: "http://reg.example/subjects/s/versions", StatusCode: 502, ErrorCode: 502,
			Message: "bad gateway\n", Raw: []byte("bad gateway\n")},
			"POST http://reg.example/subjects/s/versions: HTTP 502: bad gateway"},
		{"empty body", &client.ResponseError{Method: "DELETE", URL: "http://reg.example/subjects/s", StatusCode: 503, ErrorCode: 503},
			"DELETE http://reg.example/subjects/s: HTTP 503: Service Unavailable"},
		{"long body", &client.ResponseError{Method: "GET", URL: "http://reg.example/schemas", StatusCode: 500, ErrorCode: 500, Raw: []byte(long)},
			"GET http://reg.example/schemas: HTTP 500: " + long[:300] + "…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fmt.Errorf("subject %q version latest: %w", "nope", c.re)
			if got, want := errorText(err), `subject "nope" version latest: `+c.want; got != want {
				t.Errorf("errorText =\n%s\nwant\n%s", got, want)
			}
		})
	}
	if got := errorText(fmt.Errorf("plain")); got != "plain" {
		t.Errorf("errorText of an error without an answer = %q", got)
	}
}
