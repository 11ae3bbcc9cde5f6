package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/api"
)

// testClock is a clock the test moves by hand, so the failure limiter
// refills only when the test says so.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	alicePassword = "alice's long passphrase"
	bobPassword   = "bob's long passphrase"
)

// passwordHarness is an auth harness whose credentials add alice and bob
// with passwords (at a small work factor, to keep the tests quick) and
// carol with an API key only, and whose failure limiter runs on a clock
// the test moves.
func passwordHarness(t *testing.T) (*authHarness, *testClock) {
	t.Helper()
	h := newAuthHarness(t, authOptions{})
	h.api.SetCredentials(mustCredentials(t, passwordCredentials(t)))
	clock := &testClock{t: time.Unix(1_700_000_000, 0)}
	api.SetAuthClock(h.api, clock.now)
	return h, clock
}

func passwordCredentials(t *testing.T) string {
	t.Helper()
	hash := func(pw string) string {
		h, err := api.HashPasswordIterations(pw, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	return fmt.Sprintf(`principals:
  - name: root
    admin: true
    keys: [%s]
  - name: alice
    teams: [payments]
    password: %s
  - name: bob
    teams: [shipping]
    password: %s
  - name: carol
    keys: [%s]
`, api.HashAPIKey(testKeys[asAdmin]), hash(alicePassword), hash(bobPassword), api.HashAPIKey(testKeys[asOther]))
}

// whoamiAs asks who the server thinks the request is, from addr.
func whoamiAs(t *testing.T, h *authHarness, addr, authorization string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "/v1/auth/whoami", nil)
	req.RemoteAddr = addr
	req.Header.Set("Authorization", authorization)
	rec := httptest.NewRecorder()
	h.api.Handler().ServeHTTP(rec, req)
	return rec
}

// checkLimited asserts a 429 with Retry-After and a Confluent error body.
func checkLimited(t *testing.T, status int, header http.Header, body []byte) {
	t.Helper()
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	secs, err := strconv.Atoi(header.Get("Retry-After"))
	if status != http.StatusTooManyRequests || err != nil || secs < 1 || json.Unmarshal(body, &e) != nil || e.ErrorCode != 429 || e.Message == "" {
		t.Errorf("want 429 with Retry-After and {error_code: 429}: %d %q %s", status, header.Get("Retry-After"), body)
	}
}

// TestPasswordGuessingFloodLeavesValidUsersServed floods the server over
// HTTP with wrong passwords for a real principal and for unknown names
// while alice, who has logged in before, and carol, with an API key, keep
// working: every one of their requests is answered as them. The flood gets
// exactly as many password checks as the limit allows; the rest are 429.
func TestPasswordGuessingFloodLeavesValidUsersServed(t *testing.T) {
	h, clock := passwordHarness(t)
	h.must(basic("alice", alicePassword), "GET", "/v1/auth/whoami", nil)
	if n := api.PasswordChecks(h.api); n != 1 {
		t.Fatalf("%d password checks for alice's first login, want 1", n)
	}

	const attackers, attempts = 8, 30
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		unauthorized     int
		limited          int
		validOK, validNo int
	)
	for a := range attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range attempts {
				auth := basic("alice", fmt.Sprintf("guess-%d-%d", a, i))
				if i%2 == 1 {
					auth = basic(fmt.Sprintf("user-%d-%d", a, i), "guess")
				}
				r := h.call(auth, "GET", "/subjects", nil)
				mu.Lock()
				switch r.status {
				case http.StatusUnauthorized:
					unauthorized++
				case http.StatusTooManyRequests:
					limited++
					checkLimited(t, r.status, r.header, r.body)
				default:
					t.Errorf("a guess got %d %s", r.status, r.body)
				}
				mu.Unlock()
			}
		}()
	}
	for _, who := range []string{basic("alice", alicePassword), asOther} {
		want := map[string]string{asOther: "carol"}[who]
		if want == "" {
			want = "alice"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				r := h.call(who, "GET", "/v1/auth/whoami", nil)
				var me struct{ Name string }
				ok := r.status == http.StatusOK && json.Unmarshal(r.body, &me) == nil && me.Name == want
				mu.Lock()
				if ok {
					validOK++
				} else {
					validNo++
					t.Errorf("valid user %s during the flood: %d %s", want, r.status, r.body)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if unauthorized != api.DefaultAuthFailures || limited != attackers*attempts-api.DefaultAuthFailures {
		t.Errorf("flood of %d guesses: %d answered 401 after a password check, %d answered 429; want %d and the rest",
			attackers*attempts, unauthorized, limited, api.DefaultAuthFailures)
	}
	if n := api.PasswordChecks(h.api); n != 1+api.DefaultAuthFailures {
		t.Errorf("%d password checks, want %d (alice's login and the limit's worth of guesses)", n, 1+api.DefaultAuthFailures)
	}
	t.Logf("flood: %d guesses, %d checked (401), %d refused (429); valid users: %d served, %d not", attackers*attempts, unauthorized, limited, validOK, validNo)

	// bob has not logged in before and comes from the flooded address: he
	// is refused too, until the limit has refilled.
	r := h.call(basic("bob", bobPassword), "GET", "/v1/auth/whoami", nil)
	checkLimited(t, r.status, r.header, r.body)
	clock.advance(api.DefaultAuthFailureWindow / api.DefaultAuthFailures)
	h.must(basic("bob", bobPassword), "GET", "/v1/auth/whoami", nil)
}

// TestFailuresAreLimitedPerPrincipalAndPerAddress: guesses for one name
// from many addresses exhaust the name, guesses for many names from one
// address exhaust the address; either leaves the others alone.
func TestFailuresAreLimitedPerPrincipalAndPerAddress(t *testing.T) {
	h, _ := passwordHarness(t)
	n := api.DefaultAuthFailures
	for i := range n {
		if rec := whoamiAs(t, h, fmt.Sprintf("10.0.0.%d:5000", i+1), basic("alice", "wrong")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d for alice: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := whoamiAs(t, h, "10.0.0.200:5000", basic("alice", "wrong"))
	checkLimited(t, rec.Code, rec.Header(), rec.Body.Bytes())
	// The right password for the exhausted name is refused as well (not
	// checked), but another name from the same fresh address is served.
	rec = whoamiAs(t, h, "10.0.0.200:5000", basic("alice", alicePassword))
	checkLimited(t, rec.Code, rec.Header(), rec.Body.Bytes())
	if rec := whoamiAs(t, h, "10.0.0.200:5000", basic("bob", bobPassword)); rec.Code != http.StatusOK {
		t.Errorf("bob from an address that did not fail: %d %s", rec.Code, rec.Body)
	}

	for i := range n {
		if rec := whoamiAs(t, h, "10.0.1.1:5000", basic(fmt.Sprintf("nobody-%d", i), "wrong")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d from one address: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec = whoamiAs(t, h, "10.0.1.1:6000", basic("nobody-else", "wrong"))
	checkLimited(t, rec.Code, rec.Header(), rec.Body.Bytes())
	// API keys are never limited.
	if rec := whoamiAs(t, h, "10.0.1.1:6000", basic("carol", testKeys[asOther])); rec.Code != http.StatusOK {
		t.Errorf("carol's API key from the exhausted address: %d %s", rec.Code, rec.Body)
	}
	if rec := whoamiAs(t, h, "10.0.1.1:6000", "Bearer "+testKeys[asOther]); rec.Code != http.StatusOK {
		t.Errorf("carol's bearer key from the exhausted address: %d %s", rec.Code, rec.Body)
	}
}

// TestPasswordCheckCostsTheSameForEveryName: a name that does not exist or
// has only API keys costs one password hash, as a name with a password
// does, so timing does not tell them apart; a cached password or an API
// key costs none.
func TestPasswordCheckCostsTheSameForEveryName(t *testing.T) {
	h, clock := passwordHarness(t)
	for i, tc := range []struct {
		auth      string
		status    int
		checksRun int64
	}{
		{basic("no-such-user", "x"), 401, 1},
		{basic("carol", "not her key"), 401, 1},
		{basic("alice", "wrong"), 401, 1},
		{basic("alice", alicePassword), 200, 1},
		{basic("alice", alicePassword), 200, 0}, // cached
		{basic("carol", testKeys[asOther]), 200, 0},
		{basic("alice", ""), 401, 0}, // nothing to hash, whatever the name
		{basic("no-such-user", ""), 401, 0},
	} {
		clock.advance(time.Hour) // keep the limiter out of this test
		before := api.PasswordChecks(h.api)
		rec := whoamiAs(t, h, "10.0.2.1:5000", tc.auth)
		if rec.Code != tc.status || api.PasswordChecks(h.api)-before != tc.checksRun {
			t.Errorf("case %d: %d with %d password checks, want %d with %d", i, rec.Code, api.PasswordChecks(h.api)-before, tc.status, tc.checksRun)
		}
	}
}

// TestReloadEmptiesTheVerifiedCache: after the credentials are replaced
// (SIGHUP), a password verified before is checked again, and one that the
// new file no longer holds is refused.
func TestReloadEmptiesTheVerifiedCache(t *testing.T) {
	h, _ := passwordHarness(t)
	h.must(basic("alice", alicePassword), "GET", "/v1/auth/whoami", nil)
	h.must(basic("alice", alicePassword), "GET", "/v1/auth/whoami", nil)
	if n := api.PasswordChecks(h.api); n != 1 {
		t.Fatalf("%d checks for two logins, want 1", n)
	}
	h.api.SetCredentials(mustCredentials(t, passwordCredentials(t)))
	h.must(basic("alice", alicePassword), "GET", "/v1/auth/whoami", nil)
	if n := api.PasswordChecks(h.api); n != 2 {
		t.Errorf("%d checks after the reload, want 2: the cache outlived the credentials", n)
	}
	newPw, err := api.HashPasswordIterations("alice's new passphrase", 10_000)
	if err != nil {
		t.Fatal(err)
	}
	h.api.SetCredentials(mustCredentials(t, "principals:\n  - name: alice\n    password: "+newPw+"\n"))
	if r := h.call(basic("alice", alicePassword), "GET", "/v1/auth/whoami", nil); r.status != http.StatusUnauthorized {
		t.Errorf("the old password after rotation: %d %s", r.status, r.body)
	}
	h.must(basic("alice", "alice's new passphrase"), "GET", "/v1/auth/whoami", nil)
}

// TestTwoAuthorizationHeadersAreRefused: which of two headers would win
// is a difference between proxies and servers an attacker can use.
func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	h, _ := passwordHarness(t)
	for _, pair := range [][2]string{
		{"Bearer " + testKeys[asAdmin], "Bearer " + testKeys[asOther]},
		{"Bearer " + testKeys[asAdmin], basic("alice", "wrong")},
		{"Bearer " + testKeys[asAdmin], "Bearer " + testKeys[asAdmin]},
	} {
		req, err := http.NewRequest("GET", h.srv.URL+"/subjects", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Add("Authorization", pair[0])
		req.Header.Add("Authorization", pair[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || err != nil || e.ErrorCode != 400 || e.Message == "" {
			t.Errorf("two Authorization headers %q: %d %+v", pair, res.StatusCode, e)
		}
	}
}

// BenchmarkBasicAuth measures a request with basic credentials through the
// handler stack at the production work factor: cached is a valid user's
// every request after the first, uncached is the first (and every guess).
func BenchmarkBasicAuth(b *testing.B) {
	pw, err := api.HashPassword(alicePassword)
	if err != nil {
		b.Fatal(err)
	}
	doc := "principals:\n  - name: alice\n    password: " + pw + "\n"
	h := newAuthHarness(b, authOptions{})
	handler := h.api.Handler()
	auth := basic("alice", alicePassword)
	serve := func(b *testing.B) {
		req := httptest.NewRequest("GET", "/v1/auth/whoami", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	load := func(b *testing.B) {
		c, err := api.ParseCredentials([]byte(doc))
		if err != nil {
			b.Fatal(err)
		}
		h.api.SetCredentials(c)
	}
	b.Run("cached", func(b *testing.B) {
		load(b)
		serve(b)
		b.ReportAllocs()
		for b.Loop() {
			serve(b)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			load(b)
			b.StartTimer()
			serve(b)
		}
	})
}
