package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
)

// signInStyle is the sign-in page's only styling, inline: the page is
// shown to a browser that has not signed in, which may not fetch the
// catalogue's stylesheet either. The policy allows exactly this text by
// its hash.
const signInStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}` +
	`code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}h1{font-size:1.5rem}.muted{color:#59636e}a{color:#0969da}`

var signInTemplate = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · charter catalogue</title>
<style>{{.Style}}</style>
</head>
<body>
<main>
<h1>Sign in to the charter catalogue</h1>
{{if .Invalid}}<p role="alert">The credentials your browser sent were not accepted: {{.Message}}.</p>{{else}}<p>This registry requires authentication, for the catalogue as for its API.</p>{{end}}
<p>Sign in with the same credentials as the API: your principal's <strong>name</strong> as the user name and its <strong>API key</strong> (or password) as the password. Your browser asks for them when you <a href="{{.Retry}}">open this page again</a>; if it does not, it has kept credentials that were refused: close the browser's private window or clear its saved sign-in for this site.</p>
<p class="muted">Tools can send <code>Authorization: Bearer &lt;API key&gt;</code> or HTTP basic credentials instead. Ask the registry's administrators for a key.</p>
</main>
</body>
</html>
`))

// signInPolicy allows the inline style above and nothing else.
var signInPolicy = func() string {
	sum := sha256.Sum256([]byte(signInStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// signIn answers a browser that opened a catalogue page without accepted
// credentials with a page saying how to sign in, instead of the API's JSON
// error. The API's authentication runs before the catalogue's routes and
// writes its own 401 answer, so signIn runs before routing and wraps the
// response of a catalogue request that prefers HTML: a 401 keeps its
// status and every header the API set (the WWW-Authenticate challenge, so
// the browser still prompts) but gets the page as its body. Requests that
// do not prefer HTML (API clients, scripts, the catalogue's own assets)
// get the API's answer unchanged.
func signIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx *echo.Context) error {
		r := ctx.Request()
		catalogue := r.URL.Path == Prefix || strings.HasPrefix(r.URL.Path, Prefix+"/")
		if !catalogue || !WantsHTML(r) {
			return next(ctx)
		}
		w := &signInWriter{ResponseWriter: ctx.Response()}
		ctx.SetResponse(w)
		err := next(ctx)
		ctx.SetResponse(w.ResponseWriter)
		if !w.intercepted {
			return err
		}
		if r.Method == http.MethodHead {
			return nil
		}
		retry := r.URL.RequestURI()
		data := struct {
			Style   template.CSS
			Invalid bool
			Message string
			Retry   string
		}{Style: template.CSS(signInStyle), Retry: retry} //nolint:gosec // a constant
		if r.Header.Get("Authorization") != "" {
			var answer struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(w.swallowed.Bytes(), &answer)
			data.Invalid = true
			data.Message = strings.TrimSuffix(strings.TrimPrefix(answer.Message, "Invalid credentials: "), ".")
			if data.Message == "" {
				data.Message = "they are not valid here"
			}
		}
		var b bytes.Buffer
		if terr := signInTemplate.Execute(&b, data); terr != nil {
			return terr
		}
		_, werr := w.ResponseWriter.Write(b.Bytes())
		return werr
	}
}

// signInWriter turns a 401 answer into the sign-in page: it sets the
// page's headers on top of the API's before the status goes out, and
// keeps the API's JSON body aside (to read its message) instead of sending
// it.
type signInWriter struct {
	http.ResponseWriter
	intercepted bool
	swallowed   bytes.Buffer
}

func (w *signInWriter) WriteHeader(status int) {
	if status == http.StatusUnauthorized && !w.intercepted {
		w.intercepted = true
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", signInPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Del("Content-Length")
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *signInWriter) Write(b []byte) (int, error) {
	if w.intercepted {
		if w.swallowed.Len() < 4096 {
			w.swallowed.Write(b)
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets echo find its own Response underneath.
func (w *signInWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
