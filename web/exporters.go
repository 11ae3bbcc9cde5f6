package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/exporter"
)

// exporterSource is what the exporters page reads: every exporter's
// progress and definition. *exporter.Manager is one.
type exporterSource interface {
	List() []exporter.Progress
	Get(name string) (exporter.Exporter, error)
}

// WithExporters shows the registry's exporters (schema linking) on the
// exporters page: state, offset, lag, destination and what they export.
// Without it the page says schema linking is not set up here.
func WithExporters(m *exporter.Manager) Option {
	return optionFunc(func(c *config) {
		if m != nil {
			c.exporters = m
		}
	})
}

type exporterRow struct {
	exporter.Progress
	Destination string
	ContextType exporter.ContextType
	Context     string
	Subjects    string
	Rename      string
	Updated     int64
}

type exportersData struct {
	Available bool
	Rows      []exporterRow
	Behind    int
}

func (c *Catalogue) exporterList(ctx *echo.Context) error {
	d := exportersData{Available: c.cfg.exporters != nil}
	if d.Available {
		for _, p := range c.cfg.exporters.List() {
			row := exporterRow{Progress: p, Updated: p.Ts}
			if def, err := c.cfg.exporters.Get(p.Name); err == nil {
				row.Destination = def.Config[exporter.KeyURL]
				row.ContextType, row.Context = def.ContextType, def.Context
				row.Subjects = strings.Join(def.Subjects, ", ")
				row.Rename = def.SubjectRenameFormat
			}
			if p.Lag > 0 {
				d.Behind++
			}
			d.Rows = append(d.Rows, row)
		}
	}
	return c.render(ctx, http.StatusOK, "exporters", page{Title: "Exporters", Section: "exporters", Data: d})
}
