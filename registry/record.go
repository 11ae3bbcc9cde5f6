package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

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
}

// DecodeKey parses a raw record key.
func DecodeKey(raw []byte) (Key, error) {
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
	return k, nil
}

// Encode returns the key in Confluent's layout.
func (k Key) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(`{"keytype":`)
	writeJSONString(&b, string(k.Type))
	switch k.Type {
	case KeyNoop, KeyIDFloor:
	default:
		b.WriteString(`,"subject":`)
		if k.Global {
			b.WriteString("null")
		} else {
			writeJSONString(&b, k.Subject)
		}
	}
	if k.Type == KeySchema {
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
}

type modeValue struct {
	Mode Mode `json:"mode"`
}

type deleteSubjectValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

type clearSubjectValue struct {
	Subject string `json:"subject"`
}

type idFloorValue struct {
	MaxID int `json:"maxId"`
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
