package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/storage"
)

// KeyType is the keytype field of a record key.
type KeyType string

// Confluent's keytypes, plus charter's own.
const (
	KeySchema        KeyType = "SCHEMA"
	KeyConfig        KeyType = "CONFIG"
	KeyMode          KeyType = "MODE"
	KeyNoop          KeyType = "NOOP"
	KeyDeleteSubject KeyType = "DELETE_SUBJECT"
	KeyClearSubject  KeyType = "CLEAR_SUBJECT"
	// KeyIDFloor is charter's: it remembers the highest id ever allocated so
	// that a hard delete of the newest schema, followed by compaction, can
	// never let that id be handed out again.
	KeyIDFloor KeyType = "ID_FLOOR"
	// KeySchemaID is charter's: keyed by a schema's guid, it remembers the id
	// of a schema whose last version was hard-deleted, so that registering
	// the same schema again gives back the same id, as Confluent does, even
	// after compaction has dropped the schema's SCHEMA records.
	KeySchemaID KeyType = "SCHEMA_ID"
	// KeyContext is Confluent's: a context exists from the first
	// registration in it until DELETE /contexts/{context}. Its key names the
	// context in a field of its own ({"keytype":"CONTEXT","tenant":"default",
	// "context":".ctx","magic":0}); Key.Subject holds it.
	KeyContext KeyType = "CONTEXT"
)

// Key is a decoded record key. Raw keys from Confluent and from charter may
// differ in field order and spacing; Logical gives the identity compaction
// and replay use.
type Key struct {
	Type KeyType
	// Subject is empty together with Global for the global CONFIG and MODE.
	Subject string
	Global  bool
	Version int
	Magic   int
}

type wireKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject,omitempty"`
	Version *int    `json:"version,omitempty"`
	Magic   int     `json:"magic"`
	Context *string `json:"context,omitempty"`
}

// DecodeKey parses a raw record key.
func DecodeKey(raw []byte) (Key, error) {
	if k, ok := decodeKeyFast(raw); ok {
		return k, nil
	}
	return decodeKeySlow(raw)
}

func decodeKeySlow(raw []byte) (Key, error) {
	var w wireKey
	if err := json.Unmarshal(raw, &w); err != nil {
		return Key{}, fmt.Errorf("decode record key %q: %w", truncate(raw), err)
	}
	if w.KeyType == "" {
		return Key{}, fmt.Errorf("decode record key %q: no keytype", truncate(raw))
	}
	k := Key{Type: KeyType(w.KeyType), Magic: w.Magic}
	if w.Subject == nil {
		k.Global = true
	} else {
		k.Subject = *w.Subject
	}
	if w.Version != nil {
		k.Version = *w.Version
	}
	if k.Type == KeyContext && w.Context != nil {
		k.Subject, k.Global = *w.Context, false
	}
	return k, nil
}

// Encode returns the key in Confluent's layout.
func (k Key) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(`{"keytype":`)
	writeJSONString(&b, string(k.Type))
	switch {
	case k.Type == KeyNoop:
	case k.Type == KeyContext:
		b.WriteString(`,"tenant":"default","context":`)
		writeJSONString(&b, k.Subject)
	case k.Type == KeyIDFloor && (k.Global || k.Subject == ""):
		// The default context's floor names no context.
	default:
		b.WriteString(`,"subject":`)
		if k.Global {
			b.WriteString("null")
		} else {
			writeJSONString(&b, k.Subject)
		}
	}
	if k.Type == KeySchema || k.Version != 0 {
		b.WriteString(`,"version":`)
		b.WriteString(strconv.Itoa(k.Version))
	}
	b.WriteString(`,"magic":`)
	b.WriteString(strconv.Itoa(k.Magic))
	b.WriteByte('}')
	return b.Bytes()
}

// Logical is the key's identity: two raw keys naming the same thing have the
// same Logical string.
func (k Key) Logical() string {
	switch k.Type {
	case KeySchema:
		return string(k.Type) + "\x00" + k.Subject + "\x00" + strconv.Itoa(k.Version)
	case KeyConfig, KeyMode:
		if k.Global {
			return string(k.Type) + "\x01"
		}
	}
	if k.Version != 0 {
		// An extension's versioned key (a DEK version, say).
		return string(k.Type) + "\x00" + k.Subject + "\x00" + strconv.Itoa(k.Version)
	}
	return string(k.Type) + "\x00" + k.Subject
}

// LogicalKey is a storage.KeyFunc for registry records.
func LogicalKey(raw []byte) (string, error) {
	k, err := DecodeKey(raw)
	if err != nil {
		return "", err
	}
	return k.Logical(), nil
}

var _ storage.KeyFunc = LogicalKey

func schemaKey(subject string, version int) Key {
	return Key{Type: KeySchema, Subject: subject, Version: version, Magic: 1}
}

func configKey(subject string) Key {
	return Key{Type: KeyConfig, Subject: subject, Global: subject == ""}
}

func modeKey(subject string) Key {
	return Key{Type: KeyMode, Subject: subject, Global: subject == ""}
}

// schemaValue is the value of a SCHEMA record, in Confluent's layout.
type schemaValue struct {
	Subject    string      `json:"subject"`
	Version    int         `json:"version"`
	ID         int         `json:"id"`
	SchemaType compat.Type `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Metadata   *Metadata   `json:"metadata,omitempty"`
	RuleSet    *RuleSet    `json:"ruleSet,omitempty"`
	Schema     string      `json:"schema"`
	Deleted    bool        `json:"deleted"`
	Timestamp  int64       `json:"ts,omitempty"`
	// packed is Schema packed (packText) by the decoding stage, so that
	// the serial apply does not pack; "" when it did not.
	packed string
}

type modeValue struct {
	Mode Mode `json:"mode"`
}

type deleteSubjectValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

type idFloorValue struct {
	MaxID int `json:"maxId"`
}

// schemaIDValue is the value of a SCHEMA_ID record.
type schemaIDValue struct {
	ID int `json:"id"`
}

func record(k Key, v any) (storage.Record, error) {
	r := storage.Record{Key: k.Encode()}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return storage.Record{}, fmt.Errorf("encode %s record: %w", k.Type, err)
		}
		r.Value = b
	}
	return r, nil
}

func tombstone(k Key) storage.Record { return storage.Record{Key: k.Encode()} }

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

func truncate(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

// decodeKeyFast parses the flat keys Confluent and charter write (string,
// null and small integer fields, no escapes) without reflection; replay
// decodes one key per record. Anything else reports false and goes through
// encoding/json.
func decodeKeyFast(b []byte) (Key, bool) {
	var k Key
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return k, false
	}
	i++
	sawType, sawSubject := false, false
	for first := true; ; first = false {
		i = skipSpace(b, i)
		if i >= len(b) {
			return k, false
		}
		if b[i] == '}' {
			i = skipSpace(b, i+1)
			if i != len(b) || !sawType {
				return k, false
			}
			k.Global = !sawSubject
			return k, true
		}
		if !first {
			if b[i] != ',' {
				return k, false
			}
			i = skipSpace(b, i+1)
		}
		name, j, ok := scanPlainBytes(b, i)
		if !ok {
			return k, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return k, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return k, false
		}
		switch string(name) {
		case "keytype":
			v, j, ok := scanPlainBytes(b, i)
			if !ok || len(v) == 0 {
				return k, false
			}
			k.Type, sawType, i = keyTypeOf(v), true, j
		case "subject":
			if b[i] == 'n' {
				if len(b) < i+4 || string(b[i:i+4]) != "null" {
					return k, false
				}
				i += 4
				continue
			}
			v, j, ok := scanPlainString(b, i)
			if !ok {
				return k, false
			}
			k.Subject, sawSubject, i = v, true, j
		case "version", "magic":
			n, j, ok := scanSmallInt(b, i)
			if !ok {
				return k, false
			}
			if name[0] == 'v' {
				k.Version = n
			} else {
				k.Magic = n
			}
			i = j
		default:
			return k, false
		}
	}
}

var knownKeyTypes = [...]KeyType{KeySchema, KeyConfig, KeyMode, KeyNoop, KeyDeleteSubject, KeyClearSubject, KeyIDFloor, KeySchemaID, KeyContext}

// keyTypeOf returns the keytype named by v, without allocating for the
// keytypes charter knows.
func keyTypeOf(v []byte) KeyType {
	for _, t := range knownKeyTypes {
		if string(v) == string(t) {
			return t
		}
	}
	return KeyType(v)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanPlainString reads a JSON string without escapes or control
// characters; it reports false for anything else.
func scanPlainString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", i, false
		}
	}
	return "", i, false
}

func scanSmallInt(b []byte, i int) (int, int, bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start, n := i, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 10 {
		n = n*10 + int(b[i]-'0')
		i++
	}
	if i == start || (i < len(b) && b[i] >= '0' && b[i] <= '9') || (i-start > 1 && b[start] == '0') {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// decodeSchemaValueFast parses the SCHEMA values Confluent and charter
// write for a schema without references, metadata or rule set (subject,
// version, id, schemaType, schema, deleted and ts) without reflection:
// replay decodes one per record, and encoding/json's reflection and
// validation pass were most of a replay's CPU. The subject is the key's
// (subject) when it has the same bytes, so it is not allocated twice.
// Anything else (other fields, nulls, \u escapes, numbers that are not
// plain integers, invalid UTF-8) reports false and goes through
// encoding/json, which then decides.
func decodeSchemaValueFast(b []byte, subject string) (schemaValue, bool) {
	return decodeSchemaValue(b, subject, nil)
}

// decodeSchemaValue is decodeSchemaValueFast; with scratch, the schema
// text is not allocated: it points into b, or, when it has escapes, into
// *scratch, which it grows as needed (Decode packs the text, or copies it
// when it does not).
func decodeSchemaValue(b []byte, subject string, scratch *[]byte) (schemaValue, bool) {
	var v schemaValue
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return v, false
	}
	i++
	for first := true; ; first = false {
		i = skipSpace(b, i)
		if i >= len(b) {
			return v, false
		}
		if b[i] == '}' {
			if skipSpace(b, i+1) != len(b) {
				return v, false
			}
			return v, true
		}
		if !first {
			if b[i] != ',' {
				return v, false
			}
			i = skipSpace(b, i+1)
		}
		name, j, ok := scanPlainBytes(b, i)
		if !ok {
			return v, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return v, false
		}
		i = skipSpace(b, i+1)
		switch string(name) {
		case "subject":
			s, j, ok := scanPlainBytes(b, i)
			if !ok {
				return v, false
			}
			if string(s) == subject {
				v.Subject = subject
			} else {
				v.Subject = string(s)
			}
			i = j
		case "schemaType":
			s, j, ok := scanPlainBytes(b, i)
			if !ok {
				return v, false
			}
			switch t := compat.Type(s); t {
			case compat.Avro, compat.Protobuf, compat.JSON:
				v.SchemaType = t
			default:
				v.SchemaType = compat.Type(string(s))
			}
			i = j
		case "schema":
			s, j, ok := scanJSONString(b, i, scratch)
			if !ok {
				return v, false
			}
			v.Schema, i = s, j
		case "version", "id":
			n, j, ok := scanSmallInt(b, i)
			if !ok {
				return v, false
			}
			if name[0] == 'v' {
				v.Version = n
			} else {
				v.ID = n
			}
			i = j
		case "ts":
			n, j, ok := scanInt64(b, i)
			if !ok {
				return v, false
			}
			v.Timestamp, i = n, j
		case "deleted":
			switch {
			case len(b) >= i+4 && string(b[i:i+4]) == "true":
				v.Deleted, i = true, i+4
			case len(b) >= i+5 && string(b[i:i+5]) == "false":
				v.Deleted, i = false, i+5
			default:
				return v, false
			}
		default:
			return v, false
		}
	}
}

// scanPlainBytes is scanPlainString without the allocation, for strings
// also free of bytes above 0x7f (which encoding/json checks for UTF-8).
func scanPlainBytes(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, i, false
		}
	}
	return nil, i, false
}

// scanJSONString reads a JSON string and returns its value, allocated
// once, or with scratch pointing into b or *scratch. It handles the
// two-character escapes and valid UTF-8; a \u escape, a control character
// or invalid UTF-8 reports false.
func scanJSONString(b []byte, i int, scratch *[]byte) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	start := i + 1
	escapes, high := 0, false
	j := start
	for ; j < len(b); j++ {
		c := b[j]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			if j+1 >= len(b) {
				return "", i, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			default:
				return "", i, false
			}
			escapes++
			j++
		case c < 0x20:
			return "", i, false
		case c >= 0x80:
			high = true
		}
	}
	if j >= len(b) {
		return "", i, false
	}
	raw := b[start:j]
	if high && !utf8.Valid(raw) {
		return "", i, false
	}
	if escapes == 0 {
		if scratch != nil {
			return unsafe.String(unsafe.SliceData(raw), len(raw)), j + 1, true
		}
		return string(raw), j + 1, true
	}
	var out []byte
	if scratch != nil && cap(*scratch) >= len(raw)-escapes {
		out = (*scratch)[:0]
	} else {
		out = make([]byte, 0, len(raw)-escapes)
	}
	for k := 0; k < len(raw); k++ {
		c := raw[k]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		k++
		switch raw[k] {
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // '"', '\\', '/'
			c = raw[k]
		}
		out = append(out, c)
	}
	if scratch != nil {
		*scratch = out
	}
	return unsafe.String(unsafe.SliceData(out), len(out)), j + 1, true
}

// scanInt64 reads a JSON integer of up to 18 digits.
func scanInt64(b []byte, i int) (int64, int, bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 18 {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	if i == start || (i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.' || b[i] == 'e' || b[i] == 'E')) || (i-start > 1 && b[start] == '0') {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}
