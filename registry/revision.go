package registry

import (
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// Revision names what one read of a schema id or of a subject version
// returns: two reads with equal revisions return equal Schemas. It is
// made of the read's subject, id, version, deleted flag and timestamp,
// and of the schema's type and identity (the digest of its text,
// references, metadata and rule set), so it is derived from content,
// never from where the state keeps it. The API keeps the response bodies it encoded under
// their revisions and checks, with Snapshot.SchemaRevision or VersionRevision,
// that a body still holds before it serves it again.
type Revision struct {
	Subject   string
	ID        int
	Version   int
	Type      compat.Type
	Identity  Identity
	Deleted   bool
	Timestamp int64
}

// RevisionOf returns the revision of a Schema that SchemaByID or Version
// returned; false when its guid is not one (a Schema not from the state).
func RevisionOf(sc Schema) (Revision, bool) {
	id, ok := ParseIdentity(sc.GUID)
	if !ok {
		return Revision{}, false
	}
	return Revision{Subject: sc.Subject, ID: sc.ID, Version: sc.Version, Type: confluent.TypeOrAvro(sc.SchemaType), Identity: id, Deleted: sc.Deleted, Timestamp: sc.Timestamp}, true
}

// SchemaRevision returns the revision of what SchemaByID(DefaultContext,
// id) returns from sn, without copying anything; false when that fails.
func (sn *Snapshot) SchemaRevision(id int) (Revision, bool) {
	sc := sn.space(DefaultContext).schema(id)
	if sc == nil {
		return Revision{}, false
	}
	return Revision{ID: id, Type: confluent.TypeOrAvro(sc.typ()), Identity: sc.identity}, true
}

// VersionRevision returns the revision of what Version(subject, version,
// deleted) returns from sn, without copying anything; false when that
// fails.
func (sn *Snapshot) VersionRevision(subject string, version int, deleted bool) (Revision, bool) {
	vs, err := sn.findVersion(subject, version, deleted)
	if err != nil || vs.schema == nil {
		return Revision{}, false
	}
	sc := vs.schema
	return Revision{Subject: subject, ID: vs.id(), Version: vs.version, Type: confluent.TypeOrAvro(sc.typ()), Identity: sc.identity, Deleted: vs.deleted, Timestamp: vs.timestamp}, true
}
