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
