package api

import "time"

// SetAuthClock makes the failure limiter of s read the time from now.
func SetAuthClock(s *Server, now func() time.Time) {
	l := s.passwords.limiter
	l.mu.Lock()
	l.now = now
	l.mu.Unlock()
}

// PasswordChecks is how many password hashes s has computed.
func PasswordChecks(s *Server) int64 { return s.passwords.checks.Load() }

// HashPasswordIterations is HashPassword with another work factor, so
// tests need not pay the production one.
func HashPasswordIterations(password string, iterations int) (string, error) {
	return hashPassword(password, iterations)
}

// ResponseCacheEntries is how many encoded bodies s keeps.
func ResponseCacheEntries(s *Server) int {
	n, _ := s.bodies.size()
	return n
}

// HotResponseBodies reports how many bodies s answers hot, and how many
// of those its response cache no longer holds (which must be none).
func HotResponseBodies(s *Server) (hot, dropped int) {
	c := s.bodies
	if c.hot == nil {
		return 0, 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i := range c.hot.slots {
		h := c.hot.slots[i].Load()
		if h == nil {
			continue
		}
		hot++
		if c.m[bodyKey{route: routeSchemaByID, id: h.id}] != h.e {
			dropped++
		}
	}
	return hot, dropped
}
