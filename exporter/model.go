package exporter

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

// Confluent's exporter error codes.
const (
	CodeExporterNotFound  registry.Code = 40450
	CodeInvalidName       registry.Code = 40950
	CodeInvalidConfig     registry.Code = 40951
	CodeInvalidSubjects   registry.Code = 40952
	CodeAlreadyExists     registry.Code = 40960
	CodeAlreadyRunning    registry.Code = 40961
	CodeNotPaused         registry.Code = 40963
	CodeTooManyExporters  registry.Code = 40964
	CodeInvalidDefinition registry.Code = registry.CodeInvalidRequest
)

func errNotFound(name string) error {
	return registry.Errorf(CodeExporterNotFound, "Exporter '%s' not found", name)
}

func errAlreadyExists(name string) error {
	return registry.Errorf(CodeAlreadyExists, "Exporter '%s' already exists", name)
}

func errAlreadyRunning(name string) error {
	return registry.Errorf(CodeAlreadyRunning, "Exporter '%s' already running", name)
}

func errNotPaused(name string) error {
	return registry.Errorf(CodeNotPaused, "Exporter '%s' not paused: pause it first", name)
}

func errTooMany(max int) error {
	return registry.Errorf(CodeTooManyExporters, "Too many exporters: a maximum of %d exporters already exist", max)
}

func errInvalidConfig(format string, args ...any) error {
	return registry.Errorf(CodeInvalidConfig, "Missing or invalid exporter config: "+format, args...)
}

// ContextType says where on the destination an exporter writes.
type ContextType string

// The context types, Confluent's.
const (
	// ContextAuto writes into a context named after the source cluster
	// (".<cluster id>"), keeping the source subject's own context under it.
	ContextAuto ContextType = "AUTO"
	// ContextCustom writes into the context the exporter names.
	ContextCustom ContextType = "CUSTOM"
	// ContextNone writes subjects into the same context as on the source.
	ContextNone ContextType = "NONE"
)

// State is an exporter's state as /status reports it.
type State string

// The states, Confluent's.
const (
	StateStarting State = "STARTING"
	StateRunning  State = "RUNNING"
	StatePaused   State = "PAUSED"
	StateError    State = "ERROR"
)

// Exporter is an exporter's definition, in the JSON of Confluent's
// ExporterReference (GET /exporters/{name}).
type Exporter struct {
	Name                string            `json:"name"`
	ContextType         ContextType       `json:"contextType"`
	Context             string            `json:"context,omitempty"`
	Subjects            []string          `json:"subjects"`
	SubjectRenameFormat string            `json:"subjectRenameFormat"`
	Config              map[string]string `json:"config"`
	// KekRenameFormat is Confluent's, for exporting encryption keys,
	// which charter's exporters do not do: a definition that sets it is
	// refused rather than half honoured.
	KekRenameFormat string `json:"kekRenameFormat,omitempty"`
}

// Update changes a definition (PUT /exporters/{name}): nil fields stay.
type Update struct {
	ContextType         *ContextType      `json:"contextType,omitempty"`
	Context             *string           `json:"context,omitempty"`
	Subjects            []string          `json:"subjects,omitempty"`
	SubjectRenameFormat *string           `json:"subjectRenameFormat,omitempty"`
	Config              map[string]string `json:"config,omitempty"`
	KekRenameFormat     *string           `json:"kekRenameFormat,omitempty"`
}

// Status is an exporter's progress, in the JSON of Confluent's
// ExporterStatus. Offset is the source log position the destination
// reflects: every change below it has been exported. Ts is when the
// status was written, in milliseconds.
type Status struct {
	Name   string `json:"name"`
	State  State  `json:"state"`
	Offset int64  `json:"offset"`
	Ts     int64  `json:"ts"`
	Trace  string `json:"trace"`
}

// Progress is Status plus what charter knows besides: how many changes
// are waiting (Lag) and which instance runs the exporter.
type Progress struct {
	Status
	Lag   int    `json:"lag"`
	Owner string `json:"owner,omitempty"`
}

// nameMaxLength bounds exporter names.
const nameMaxLength = 256

// CheckName validates an exporter name: a letter, digit or '_' first,
// then letters, digits, '_', '-' and '.', at most 256 characters. Names
// key records and URL paths, so '/' and ':' are out.
func CheckName(name string) error {
	if name == "" {
		return registry.Errorf(CodeInvalidName, "Missing or invalid exporter name: the name is empty")
	}
	if len([]rune(name)) > nameMaxLength {
		return registry.Errorf(CodeInvalidName, "Missing or invalid exporter name: the name is longer than %d characters", nameMaxLength)
	}
	for i, c := range name {
		ok := unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || (i > 0 && (c == '-' || c == '.'))
		if !ok {
			return registry.Errorf(CodeInvalidName, "Missing or invalid exporter name '%s': use letters, digits, '_', '-' and '.', starting with a letter, digit or '_'", name)
		}
	}
	return nil
}

// The config keys an exporter understands; Confluent's client names.
const (
	KeyURL                = "schema.registry.url"
	KeyBasicSource        = "basic.auth.credentials.source"
	KeyBasicUserInfo      = "basic.auth.user.info"
	KeyBearerSource       = "bearer.auth.credentials.source"
	KeyBearerToken        = "bearer.auth.token"
	KeySSLCALocation      = "schema.registry.ssl.ca.location"
	KeySSLCertLocation    = "schema.registry.ssl.certificate.location"
	KeySSLKeyLocation     = "schema.registry.ssl.key.location"
	KeySSLSkipHostVerify  = "schema.registry.ssl.endpoint.identification.algorithm"
	secretMask            = "[hidden]"
	defaultRenameFormat   = "${subject}"
	subjectPlaceholder    = "${subject}"
	defaultSubjectsFilter = "*"
)

var knownKeys = map[string]bool{
	KeyURL: true, KeyBasicSource: true, KeyBasicUserInfo: true, KeyBearerSource: true, KeyBearerToken: true,
	KeySSLCALocation: true, KeySSLCertLocation: true, KeySSLKeyLocation: true, KeySSLSkipHostVerify: true,
}

var secretKeys = map[string]bool{KeyBasicUserInfo: true, KeyBearerToken: true}

// checkConfig validates an exporter's destination config. Keys it does
// not understand are refused rather than ignored, and so are Java's
// keystore settings, which have PEM counterparts here.
func checkConfig(cfg map[string]string) error {
	if strings.TrimSpace(cfg[KeyURL]) == "" {
		return errInvalidConfig("%s is required", KeyURL)
	}
	for _, u := range strings.Split(cfg[KeyURL], ",") {
		p, err := url.Parse(strings.TrimSpace(u))
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return errInvalidConfig("%s %q is not an http(s) URL", KeyURL, strings.TrimSpace(u))
		}
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if knownKeys[k] {
			continue
		}
		if strings.Contains(k, "truststore") || strings.Contains(k, "keystore") {
			return errInvalidConfig("%s is not supported: give PEM files with %s, %s and %s", k, KeySSLCALocation, KeySSLCertLocation, KeySSLKeyLocation)
		}
		return errInvalidConfig("unknown key %s; supported keys are %s", k, strings.Join(sortedKnown(), ", "))
	}
	switch src := cfg[KeyBasicSource]; src {
	case "", "USER_INFO":
		if src == "USER_INFO" && cfg[KeyBasicUserInfo] == "" {
			return errInvalidConfig("%s USER_INFO needs %s", KeyBasicSource, KeyBasicUserInfo)
		}
	case "URL":
	default:
		return errInvalidConfig("%s %q is not supported: use USER_INFO or URL", KeyBasicSource, src)
	}
	if ui := cfg[KeyBasicUserInfo]; ui != "" && !strings.Contains(ui, ":") {
		return errInvalidConfig("%s must be user:password", KeyBasicUserInfo)
	}
	switch src := cfg[KeyBearerSource]; src {
	case "", "STATIC_TOKEN":
		if src == "STATIC_TOKEN" && cfg[KeyBearerToken] == "" {
			return errInvalidConfig("%s STATIC_TOKEN needs %s", KeyBearerSource, KeyBearerToken)
		}
	default:
		return errInvalidConfig("%s %q is not supported: use STATIC_TOKEN", KeyBearerSource, src)
	}
	if cfg[KeyBearerToken] != "" && cfg[KeyBasicUserInfo] != "" {
		return errInvalidConfig("%s and %s cannot both be set", KeyBasicUserInfo, KeyBearerToken)
	}
	if (cfg[KeySSLCertLocation] == "") != (cfg[KeySSLKeyLocation] == "") {
		return errInvalidConfig("%s and %s go together", KeySSLCertLocation, KeySSLKeyLocation)
	}
	if v := cfg[KeySSLSkipHostVerify]; v != "" && v != "https" {
		return errInvalidConfig("%s %q is not supported: use https, or leave it empty to turn host name verification off", KeySSLSkipHostVerify, v)
	}
	return nil
}

func sortedKnown() []string {
	out := make([]string, 0, len(knownKeys))
	for k := range knownKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// masked returns cfg with secret values hidden, for answers and audit
// entries: the user info and token, and the password of a URL that
// carries one (basic.auth.credentials.source URL).
func masked(cfg map[string]string) map[string]string {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		if secretKeys[k] && v != "" {
			v = secretMask
		}
		if k == KeyURL {
			v = maskURLs(v)
		}
		out[k] = v
	}
	return out
}

func maskURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, u := range parts {
		p, err := url.Parse(strings.TrimSpace(u))
		if err != nil || p.User == nil {
			continue
		}
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), secretMask)
			parts[i] = strings.Replace(p.String(), url.QueryEscape(secretMask), secretMask, 1)
		}
	}
	return strings.Join(parts, ",")
}

// unmask replaces hidden values in next by the ones in prev, so a config
// read back (masked) and sent again keeps its secrets.
func unmask(next, prev map[string]string) map[string]string {
	out := make(map[string]string, len(next))
	for k, v := range next {
		if secretKeys[k] && v == secretMask {
			v = prev[k]
		}
		if k == KeyURL && v != prev[k] && v == maskURLs(prev[k]) {
			v = prev[k]
		}
		out[k] = v
	}
	return out
}

// normalize fills a definition's defaults and validates it.
func normalize(e Exporter) (Exporter, error) {
	if err := CheckName(e.Name); err != nil {
		return e, err
	}
	if e.KekRenameFormat != "" {
		return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': kekRenameFormat is not supported: charter's exporters copy schemas, not encryption keys", e.Name)
	}
	if e.ContextType == "" {
		e.ContextType = ContextAuto
	}
	e.ContextType = ContextType(strings.ToUpper(string(e.ContextType)))
	switch e.ContextType {
	case ContextCustom:
		c := strings.TrimPrefix(e.Context, ".")
		if c == "" {
			return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': contextType CUSTOM needs a context", e.Name)
		}
		if strings.ContainsAny(c, ":") || strings.IndexFunc(c, unicode.IsControl) >= 0 || strings.HasPrefix(c, ".") {
			return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': invalid context '%s': a context name has no ':' and no control characters", e.Name, e.Context)
		}
		e.Context = "." + c
		if e.Context == confluent.GlobalContext {
			return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': invalid context '%s': it holds configs and modes, not subjects", e.Name, e.Context)
		}
	case ContextAuto, ContextNone:
		if e.Context != "" {
			return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': context is only for contextType CUSTOM, not %s", e.Name, e.ContextType)
		}
	default:
		return e, registry.Errorf(CodeInvalidDefinition, "Exporter '%s': invalid contextType '%s': use AUTO, CUSTOM or NONE", e.Name, e.ContextType)
	}
	if len(e.Subjects) == 0 {
		e.Subjects = []string{defaultSubjectsFilter}
	}
	for _, s := range e.Subjects {
		if strings.TrimSpace(s) == "" || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			return e, registry.Errorf(CodeInvalidSubjects, "Invalid exporter subjects: %q is not a subject name or pattern", s)
		}
	}
	if e.SubjectRenameFormat == "" {
		e.SubjectRenameFormat = defaultRenameFormat
	}
	if strings.Count(e.SubjectRenameFormat, subjectPlaceholder) != 1 {
		return e, registry.Errorf(CodeInvalidSubjects, "Invalid exporter subjects: subjectRenameFormat '%s' must contain ${subject} exactly once", e.SubjectRenameFormat)
	}
	if strings.Contains(e.SubjectRenameFormat, ":") {
		return e, registry.Errorf(CodeInvalidSubjects, "Invalid exporter subjects: subjectRenameFormat '%s' cannot hold a ':'; name the destination context with contextType CUSTOM", e.SubjectRenameFormat)
	}
	if e.Config == nil {
		e.Config = map[string]string{}
	}
	if err := checkConfig(e.Config); err != nil {
		return e, err
	}
	return e, nil
}

// apply lays u over e.
func (e Exporter) apply(u Update) Exporter {
	if u.ContextType != nil {
		// Context types are taken in any case, as on create.
		e.ContextType = ContextType(strings.ToUpper(string(*u.ContextType)))
		if e.ContextType != ContextCustom && u.Context == nil {
			e.Context = ""
		}
	}
	if u.Context != nil {
		e.Context = *u.Context
	}
	if u.Subjects != nil {
		e.Subjects = append([]string(nil), u.Subjects...)
	}
	if u.SubjectRenameFormat != nil {
		e.SubjectRenameFormat = *u.SubjectRenameFormat
	}
	if u.KekRenameFormat != nil {
		e.KekRenameFormat = *u.KekRenameFormat
	}
	if u.Config != nil {
		cfg := make(map[string]string, len(e.Config)+len(u.Config))
		for k, v := range e.Config {
			cfg[k] = v
		}
		for k, v := range unmask(u.Config, e.Config) {
			cfg[k] = v
		}
		e.Config = cfg
	}
	return e
}

// view is the definition as the API answers it: secrets hidden.
func (e Exporter) view() Exporter {
	e.Subjects = append([]string(nil), e.Subjects...)
	e.Config = masked(e.Config)
	return e
}

// matches reports whether the exporter exports source subject s: a
// pattern is a subject name where '*' stands for any run of characters.
func (e Exporter) matches(s string) bool {
	for _, p := range e.Subjects {
		if glob(p, s) {
			return true
		}
	}
	return false
}

func glob(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// target maps a source subject to its destination subject: the rename
// format applies to the unqualified name, then the context type picks the
// context.
func (e Exporter) target(autoContext, s string) string {
	q := confluent.ParseSubject(s)
	name := strings.Replace(e.SubjectRenameFormat, subjectPlaceholder, q.Name, 1)
	ctx := q.Context
	switch e.ContextType {
	case ContextCustom:
		ctx = e.Context
	case ContextAuto:
		if q.IsDefault() {
			ctx = autoContext
		} else {
			ctx = autoContext + ctx
		}
	}
	return confluent.Subject{Context: ctx, Name: name}.String()
}

func (e Exporter) String() string { return fmt.Sprintf("exporter %s", e.Name) }
