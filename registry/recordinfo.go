package registry

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charter-registry/charter/storage"
)

// RecordID returns the id a record allocates (a SCHEMA record's id) or
// reserves (an ID_FLOOR record's maxId). Logs use it to remember the
// highest id ever acknowledged, so that a repair that drops records can
// keep their ids from being handed out again (see file.WithIDFunc).
func RecordID(key, value []byte) (int64, bool) {
	if value == nil {
		return 0, false
	}
	k, err := DecodeKey(key)
	if err != nil {
		return 0, false
	}
	switch k.Type {
	case KeySchema:
		var v struct {
			ID *int `json:"id"`
		}
		if json.Unmarshal(value, &v) != nil || v.ID == nil {
			return 0, false
		}
		return int64(*v.ID), true
	case KeySchemaID:
		var v struct {
			ID *int `json:"id"`
		}
		if json.Unmarshal(value, &v) != nil || v.ID == nil {
			return 0, false
		}
		return int64(*v.ID), true
	case KeyIDFloor:
		var v struct {
			MaxID *int `json:"maxId"`
		}
		if json.Unmarshal(value, &v) != nil || v.MaxID == nil {
			return 0, false
		}
		return int64(*v.MaxID), true
	}
	return 0, false
}

// IDFloorRecord returns an ID_FLOOR record that keeps every id up to maxID
// from being allocated again in the default context.
func IDFloorRecord(maxID int64) storage.Record {
	return storage.Record{
		Key:   Key{Type: KeyIDFloor}.Encode(),
		Value: fmt.Appendf(nil, `{"maxId":%d}`, maxID),
	}
}

// IDFloors makes the ID_FLOOR records a repair appends when ids are scoped
// per context. Give its RecordID to the repair as the log's IDFunc: it is
// RecordID, and notes the context every record it sees names. Records then
// floors the default context and each noted context at the highest id the
// log ever held: a record the repair dropped may have carried that id in
// any context, so no context may hand it out again. (A context none of
// whose records survived, not even in damaged bytes, cannot be known.)
type IDFloors struct {
	contexts map[string]bool
}

// NewIDFloors returns an IDFloors that has noted no context yet.
func NewIDFloors() *IDFloors { return &IDFloors{contexts: map[string]bool{}} }

// RecordID is RecordID, noting the context key names.
func (f *IDFloors) RecordID(key, value []byte) (int64, bool) {
	if k, err := DecodeKey(key); err == nil {
		if c := keyContext(k); c != "" && c != DefaultContext {
			f.contexts[c] = true
		}
	}
	return RecordID(key, value)
}

// Records returns the floors of every id up to maxID: the default
// context's (IDFloorRecord) first, then each noted context's in name order.
func (f *IDFloors) Records(maxID int64) []storage.Record {
	out := []storage.Record{IDFloorRecord(maxID)}
	for _, c := range sortedKeys(f.contexts) {
		out = append(out, storage.Record{
			Key:   Key{Type: KeyIDFloor, Subject: c}.Encode(),
			Value: fmt.Appendf(nil, `{"maxId":%d}`, maxID),
		})
	}
	return out
}

// keyContext is the context a record's key names, "" for none.
func keyContext(k Key) string {
	switch k.Type {
	case KeySchema, KeyConfig, KeyMode, KeyDeleteSubject, KeyClearSubject:
		if k.Global {
			return ""
		}
		return contextOf(k.Subject)
	case KeySchemaID:
		ctx, _ := splitSchemaIDSubject(k.Subject)
		return ctx
	case KeyIDFloor, KeyContext:
		if k.Global {
			return ""
		}
		return k.Subject
	}
	return ""
}

// DescribeRecord says in one line what a record is, for an operator reading
// what a repair dropped: its keytype, subject, version and id, as far as
// they can be decoded from possibly damaged bytes.
func DescribeRecord(key, value []byte) string {
	k, err := DecodeKey(key)
	if err != nil {
		return fmt.Sprintf("undecodable key %q", truncate(key))
	}
	var b strings.Builder
	b.WriteString(string(k.Type))
	switch {
	case k.Type == KeyIDFloor && !k.Global && k.Subject != "":
		fmt.Fprintf(&b, " context %q", k.Subject)
	case k.Type == KeyNoop || k.Type == KeyIDFloor:
	case k.Global:
		b.WriteString(" (global)")
	default:
		fmt.Fprintf(&b, " subject %q", k.Subject)
	}
	if k.Type == KeySchema {
		fmt.Fprintf(&b, " version %d", k.Version)
	}
	switch id, ok := RecordID(key, value); {
	case value == nil:
		b.WriteString(" (tombstone)")
	case ok && (k.Type == KeySchema || k.Type == KeySchemaID):
		fmt.Fprintf(&b, " id %d", id)
	case ok:
		fmt.Fprintf(&b, " maxId %d", id)
	case k.Type == KeySchema:
		b.WriteString(" (value undecodable)")
	}
	return b.String()
}
