package registry_test

import (
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// gov is the governance attached to svc (registrytest attaches it before
// the service runs).
func gov(svc *registry.Service) *governance.Governance {
	return governance.Attach(svc, governance.Config{})
}
