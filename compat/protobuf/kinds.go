package protobuf

// The change kinds Diff reports. They are Confluent's Protobuf
// Difference.Type names.
const (
	PackageChanged                 = "PACKAGE_CHANGED"
	MessageAdded                   = "MESSAGE_ADDED"
	MessageRemoved                 = "MESSAGE_REMOVED"
	MessageMoved                   = "MESSAGE_MOVED"
	EnumAdded                      = "ENUM_ADDED"
	EnumRemoved                    = "ENUM_REMOVED"
	EnumConstAdded                 = "ENUM_CONST_ADDED"
	EnumConstChanged               = "ENUM_CONST_CHANGED"
	EnumConstRemoved               = "ENUM_CONST_REMOVED"
	FieldAdded                     = "FIELD_ADDED"
	FieldRemoved                   = "FIELD_REMOVED"
	FieldNameChanged               = "FIELD_NAME_CHANGED"
	FieldKindChanged               = "FIELD_KIND_CHANGED"
	FieldScalarKindChanged         = "FIELD_SCALAR_KIND_CHANGED"
	FieldNamedTypeChanged          = "FIELD_NAMED_TYPE_CHANGED"
	FieldNumericLabelChanged       = "FIELD_NUMERIC_LABEL_CHANGED"
	FieldStringOrBytesLabelChanged = "FIELD_STRING_OR_BYTES_LABEL_CHANGED"
	RequiredFieldAdded             = "REQUIRED_FIELD_ADDED"
	RequiredFieldRemoved           = "REQUIRED_FIELD_REMOVED"
	OneofAdded                     = "ONEOF_ADDED"
	OneofRemoved                   = "ONEOF_REMOVED"
	OneofFieldAdded                = "ONEOF_FIELD_ADDED"
	OneofFieldRemoved              = "ONEOF_FIELD_REMOVED"
	OneofFieldMovedToTopLevel      = "ONEOF_FIELD_MOVED_TO_TOP_LEVEL"
	MultipleFieldsMovedToOneof     = "MULTIPLE_FIELDS_MOVED_TO_ONEOF"
	FieldMovedToExistingOneof      = "FIELD_MOVED_TO_EXISTING_ONEOF"
	schemaMismatch                 = "SCHEMA_TYPE_MISMATCH"
	ruleSchemaTypeChanged          = "SCHEMA_TYPE_CHANGED"
)

// kindInfo is what charter knows about a kind: the buf breaking rule it
// corresponds to (the kind itself when buf has none) and whether
// Confluent counts it as compatible.
type kindInfo struct {
	rule       string
	compatible bool
}

// kinds follows Confluent's SchemaDiff.COMPATIBLE_CHANGES as of the
// snapshot the test vectors come from: a package change is incompatible
// and moving a field out of a oneof is compatible.
var kinds = map[string]kindInfo{
	PackageChanged:                 {"FILE_SAME_PACKAGE", false},
	MessageAdded:                   {MessageAdded, true},
	MessageRemoved:                 {"MESSAGE_NO_DELETE", false},
	MessageMoved:                   {MessageMoved, true},
	EnumAdded:                      {EnumAdded, true},
	EnumRemoved:                    {"ENUM_NO_DELETE", true},
	EnumConstAdded:                 {EnumConstAdded, true},
	EnumConstChanged:               {"ENUM_VALUE_SAME_NAME", true},
	EnumConstRemoved:               {"ENUM_VALUE_NO_DELETE", true},
	FieldAdded:                     {FieldAdded, true},
	FieldRemoved:                   {"FIELD_NO_DELETE", true},
	FieldNameChanged:               {"FIELD_SAME_NAME", true},
	FieldKindChanged:               {"FIELD_SAME_TYPE", false},
	FieldScalarKindChanged:         {"FIELD_WIRE_COMPATIBLE_TYPE", false},
	FieldNamedTypeChanged:          {"FIELD_SAME_TYPE", false},
	FieldNumericLabelChanged:       {"FIELD_SAME_LABEL", false},
	FieldStringOrBytesLabelChanged: {"FIELD_SAME_LABEL", true},
	RequiredFieldAdded:             {RequiredFieldAdded, false},
	RequiredFieldRemoved:           {"FIELD_NO_DELETE", false},
	OneofAdded:                     {OneofAdded, true},
	OneofRemoved:                   {"ONEOF_NO_DELETE", true},
	OneofFieldAdded:                {OneofFieldAdded, true},
	OneofFieldRemoved:              {"FIELD_NO_DELETE", false},
	OneofFieldMovedToTopLevel:      {"FIELD_SAME_ONEOF", true},
	MultipleFieldsMovedToOneof:     {"FIELD_SAME_ONEOF", false},
	FieldMovedToExistingOneof:      {"FIELD_SAME_ONEOF", false},
	schemaMismatch:                 {ruleSchemaTypeChanged, false},
}

// Compatible reports whether Confluent treats a change of this kind as
// backward compatible. Unknown kinds are not.
func Compatible(kind string) bool { return kinds[kind].compatible }

// Rule returns the buf-style rule id Diff reports for kind.
func Rule(kind string) string {
	if k, ok := kinds[kind]; ok {
		return k.rule
	}
	return kind
}
