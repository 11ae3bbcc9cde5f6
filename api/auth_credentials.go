package api

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/charter-registry/charter/registry"
)

// Credentials map secrets to principals. They are loaded from a YAML file
// that holds only hashes of the secrets:
//
//	principals:
//	  - name: payments-ci
//	    teams: [payments]
//	    keys:                      # API keys, as printed by `charter auth hash-key`
//	      - sha256:4f0c…
//	    password: pbkdf2-sha256:600000:…:…   # optional, for HTTP basic auth
//	  - name: alice
//	    admin: true
//	    password: pbkdf2-sha256:600000:…:…
//
// A client authenticates with an API key as "Authorization: Bearer <key>",
// or with HTTP basic auth (what Confluent clients send through
// basic.auth.user.info) as its principal name and either one of its API
// keys or its password. Credentials are immutable; reload the file to
// rotate keys.
type Credentials struct {
	byName map[string]*credential
	byKey  map[[32]byte]*credential

	// dummy is hashed against for names without a password.
	dummy *passwordHash

	// verified caches successful password checks, keyed by a SHA-256 of
	// name and password, so PBKDF2 runs once per password, not per
	// request. It holds at most maxVerified entries and belongs to these
	// Credentials, so a reload (SIGHUP) starts it empty.
	mu       sync.Mutex
	verified map[[32]byte]bool
}

type credential struct {
	principal registry.Principal
	keys      [][32]byte
	password  *passwordHash
}

type passwordHash struct {
	iterations int
	salt, hash []byte
}

// credentialsFile is the YAML layout.
type credentialsFile struct {
	Principals []struct {
		Name     string   `yaml:"name"`
		Teams    []string `yaml:"teams"`
		Admin    bool     `yaml:"admin"`
		Keys     []string `yaml:"keys"`
		Password string   `yaml:"password"`
	} `yaml:"principals"`
}

// LoadCredentials reads a credentials file.
func LoadCredentials(path string) (*Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth config: %w", err)
	}
	c, err := ParseCredentials(b)
	if err != nil {
		return nil, fmt.Errorf("auth config %s: %w", path, err)
	}
	return c, nil
}

// ParseCredentials parses the YAML layout Credentials describes. It refuses
// unknown fields, plaintext secrets, a principal without any secret and a
// key shared by two principals.
func ParseCredentials(b []byte) (*Credentials, error) {
	var f credentialsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	c := &Credentials{byName: map[string]*credential{}, byKey: map[[32]byte]*credential{}, verified: map[[32]byte]bool{}}
	for i, p := range f.Principals {
		where := fmt.Sprintf("principal %d", i+1)
		if p.Name == "" || strings.ContainsAny(p.Name, ":\x00") || len(p.Name) > 128 {
			return nil, fmt.Errorf("%s: name %q must be 1 to 128 characters without ':'", where, p.Name)
		}
		where = fmt.Sprintf("principal %q", p.Name)
		if p.Name == registry.Anonymous {
			return nil, fmt.Errorf("%s: the name is reserved", where)
		}
		if _, dup := c.byName[p.Name]; dup {
			return nil, fmt.Errorf("%s: listed twice", where)
		}
		cr := &credential{principal: registry.Principal{Name: p.Name, Teams: p.Teams, Admin: p.Admin}}
		for _, team := range p.Teams {
			if team == "" {
				return nil, fmt.Errorf("%s: empty team name", where)
			}
		}
		for _, k := range p.Keys {
			h, err := parseKeyHash(k)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			if other, dup := c.byKey[h]; dup {
				return nil, fmt.Errorf("%s: an API key is also listed for principal %q; every key must name one principal", where, other.principal.Name)
			}
			c.byKey[h] = cr
			cr.keys = append(cr.keys, h)
		}
		if p.Password != "" {
			ph, err := parsePasswordHash(p.Password)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			cr.password = ph
		}
		if len(cr.keys) == 0 && cr.password == nil {
			return nil, fmt.Errorf("%s: no keys and no password, so it could never authenticate", where)
		}
		c.byName[p.Name] = cr
	}
	c.dummy = dummyPassword(c.byName)
	return c, nil
}

// Principals returns how many principals the credentials know.
func (c *Credentials) Principals() int { return len(c.byName) }

func parseKeyHash(s string) ([32]byte, error) {
	var h [32]byte
	rest, ok := strings.CutPrefix(s, "sha256:")
	if !ok {
		return h, fmt.Errorf("key %q is not a hash: write it as sha256:<64 hex digits> (charter auth hash-key prints one); plaintext keys are not accepted", abbreviate(s))
	}
	b, err := hex.DecodeString(rest)
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("key hash %q: want sha256: followed by 64 hex digits", abbreviate(s))
	}
	copy(h[:], b)
	return h, nil
}

func parsePasswordHash(s string) (*passwordHash, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return nil, fmt.Errorf("password %q is not a hash: write it as pbkdf2-sha256:<iterations>:<salt>:<hash> (charter auth hash-password prints one); plaintext passwords are not accepted", abbreviate(s))
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 10000 || n > 10_000_000 {
		return nil, fmt.Errorf("password hash: iterations %q must be between 10000 and 10000000", parts[1])
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	hash, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(hash) < 16 {
		return nil, errors.New("password hash: salt and hash must be unpadded base64, at least 8 and 16 bytes")
	}
	return &passwordHash{iterations: n, salt: salt, hash: hash}, nil
}

func abbreviate(s string) string {
	if len(s) > 12 {
		return s[:6] + "…"
	}
	return s
}

// HashAPIKey returns the form of an API key that the credentials file
// holds: sha256: and the hex SHA-256 of the key. API keys are random and
// long, so a fast hash is enough.
func HashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(h[:])
}

// NewAPIKey returns a new random API key (256 bits) and its hash.
func NewAPIKey() (key, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	key = "chk_" + base64.RawURLEncoding.EncodeToString(b[:])
	return key, HashAPIKey(key)
}

// PasswordIterations is the PBKDF2-SHA256 work factor HashPassword uses.
const PasswordIterations = 600_000

// HashPassword returns the PBKDF2-SHA256 hash of a password in the form
// the credentials file holds. Passwords are chosen by people, so they get
// a slow, salted hash.
func HashPassword(password string) (string, error) {
	return hashPassword(password, PasswordIterations)
}

func hashPassword(password string, iterations int) (string, error) {
	if password == "" {
		return "", errors.New("empty password")
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	h, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pbkdf2-sha256:%d:%s:%s", iterations, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(h)), nil
}

// byAPIKey returns the principal an API key belongs to.
func (c *Credentials) byAPIKey(key string) (registry.Principal, bool) {
	cr, ok := c.byKey[sha256.Sum256([]byte(key))]
	if !ok {
		return registry.Principal{}, false
	}
	return cr.principal, true
}

// byBasicFast checks a name and a secret without the slow hash: against
// the principal's API keys and the cache of passwords verified before. A
// miss is not a failure; the caller goes on to checkPassword.
func (c *Credentials) byBasicFast(name, secret string) (registry.Principal, bool) {
	cr, ok := c.byName[name]
	if !ok || secret == "" {
		return registry.Principal{}, false
	}
	kh := sha256.Sum256([]byte(secret))
	for _, k := range cr.keys {
		if subtle.ConstantTimeCompare(k[:], kh[:]) == 1 {
			return cr.principal, true
		}
	}
	if cr.password == nil {
		return registry.Principal{}, false
	}
	ck := verifiedKey(name, secret)
	c.mu.Lock()
	hit := c.verified[ck]
	c.mu.Unlock()
	if hit {
		return cr.principal, true
	}
	return registry.Principal{}, false
}

// checkPassword runs the slow hash for a name and a secret and caches a
// match. It costs the same whether the name is unknown, has only API keys
// or has a password: the first two are hashed against a dummy of the usual
// work factor, so timing does not tell which names exist.
func (c *Credentials) checkPassword(name, secret string) (registry.Principal, bool) {
	cr, ok := c.byName[name]
	ph := c.dummy
	if ok && cr.password != nil {
		ph = cr.password
	}
	h, err := pbkdf2.Key(sha256.New, secret, ph.salt, ph.iterations, len(ph.hash))
	if err != nil || subtle.ConstantTimeCompare(h, ph.hash) != 1 || ph == c.dummy {
		return registry.Principal{}, false
	}
	c.mu.Lock()
	if len(c.verified) >= maxVerified {
		for k := range c.verified { // evict one, at random
			delete(c.verified, k)
			break
		}
	}
	c.verified[verifiedKey(name, secret)] = true
	c.mu.Unlock()
	return cr.principal, true
}

// maxVerified bounds the cache of verified passwords.
const maxVerified = 4096

// verifiedKey is the cache key of a verified password: a hash of name and
// secret, so the cache holds no secret.
func verifiedKey(name, secret string) [32]byte {
	return sha256.Sum256([]byte(name + "\x00" + secret))
}

// dummyPassword is what checkPassword hashes against when the name has no
// password: a random salt and hash (which no secret matches in practice,
// and which checkPassword never accepts anyway) with the work factor most
// of the file's passwords use, PasswordIterations if none has one.
func dummyPassword(byName map[string]*credential) *passwordHash {
	counts := map[int]int{}
	iterations, best := PasswordIterations, 0
	for _, cr := range byName {
		if cr.password == nil {
			continue
		}
		n := cr.password.iterations
		counts[n]++
		if counts[n] > best || (counts[n] == best && n > iterations) {
			iterations, best = n, counts[n]
		}
	}
	ph := &passwordHash{iterations: iterations, salt: make([]byte, 16), hash: make([]byte, 32)}
	_, _ = rand.Read(ph.salt)
	_, _ = rand.Read(ph.hash)
	return ph
}
