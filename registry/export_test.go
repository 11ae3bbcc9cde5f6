package registry

// Wake wakes the lease's Run from its wait, as a lease record applied
// would, so a test that moved the lease's clock has it look again.
func (l *WriterLease) Wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.wakeLocked()
}
