package jsonschema

// Change kinds are Confluent's JSON Schema Difference.Type names.
const (
	idChanged          = "ID_CHANGED"
	descriptionChanged = "DESCRIPTION_CHANGED"
	titleChanged       = "TITLE_CHANGED"
	defaultChanged     = "DEFAULT_CHANGED"
	schemaAdded        = "SCHEMA_ADDED"
	schemaRemoved      = "SCHEMA_REMOVED"
	typeExtended       = "TYPE_EXTENDED"
	typeNarrowed       = "TYPE_NARROWED"
	typeChanged        = "TYPE_CHANGED"

	maxLengthAdded     = "MAX_LENGTH_ADDED"
	maxLengthRemoved   = "MAX_LENGTH_REMOVED"
	maxLengthIncreased = "MAX_LENGTH_INCREASED"
	maxLengthDecreased = "MAX_LENGTH_DECREASED"
	minLengthAdded     = "MIN_LENGTH_ADDED"
	minLengthRemoved   = "MIN_LENGTH_REMOVED"
	minLengthIncreased = "MIN_LENGTH_INCREASED"
	minLengthDecreased = "MIN_LENGTH_DECREASED"
	patternAdded       = "PATTERN_ADDED"
	patternRemoved     = "PATTERN_REMOVED"
	patternChanged     = "PATTERN_CHANGED"

	maximumAdded              = "MAXIMUM_ADDED"
	maximumRemoved            = "MAXIMUM_REMOVED"
	maximumIncreased          = "MAXIMUM_INCREASED"
	maximumDecreased          = "MAXIMUM_DECREASED"
	minimumAdded              = "MINIMUM_ADDED"
	minimumRemoved            = "MINIMUM_REMOVED"
	minimumIncreased          = "MINIMUM_INCREASED"
	minimumDecreased          = "MINIMUM_DECREASED"
	exclusiveMaximumAdded     = "EXCLUSIVE_MAXIMUM_ADDED"
	exclusiveMaximumRemoved   = "EXCLUSIVE_MAXIMUM_REMOVED"
	exclusiveMaximumIncreased = "EXCLUSIVE_MAXIMUM_INCREASED"
	exclusiveMaximumDecreased = "EXCLUSIVE_MAXIMUM_DECREASED"
	exclusiveMinimumAdded     = "EXCLUSIVE_MINIMUM_ADDED"
	exclusiveMinimumRemoved   = "EXCLUSIVE_MINIMUM_REMOVED"
	exclusiveMinimumIncreased = "EXCLUSIVE_MINIMUM_INCREASED"
	exclusiveMinimumDecreased = "EXCLUSIVE_MINIMUM_DECREASED"
	multipleOfAdded           = "MULTIPLE_OF_ADDED"
	multipleOfRemoved         = "MULTIPLE_OF_REMOVED"
	multipleOfExpanded        = "MULTIPLE_OF_EXPANDED"
	multipleOfReduced         = "MULTIPLE_OF_REDUCED"
	multipleOfChanged         = "MULTIPLE_OF_CHANGED"

	requiredAttributeAdded            = "REQUIRED_ATTRIBUTE_ADDED"
	requiredAttributeWithDefaultAdded = "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
	requiredAttributeRemoved          = "REQUIRED_ATTRIBUTE_REMOVED"
	maxPropertiesAdded                = "MAX_PROPERTIES_ADDED"
	maxPropertiesRemoved              = "MAX_PROPERTIES_REMOVED"
	maxPropertiesIncreased            = "MAX_PROPERTIES_INCREASED"
	maxPropertiesDecreased            = "MAX_PROPERTIES_DECREASED"
	minPropertiesAdded                = "MIN_PROPERTIES_ADDED"
	minPropertiesRemoved              = "MIN_PROPERTIES_REMOVED"
	minPropertiesIncreased            = "MIN_PROPERTIES_INCREASED"
	minPropertiesDecreased            = "MIN_PROPERTIES_DECREASED"
	additionalPropertiesAdded         = "ADDITIONAL_PROPERTIES_ADDED"
	additionalPropertiesRemoved       = "ADDITIONAL_PROPERTIES_REMOVED"
	additionalPropertiesExtended      = "ADDITIONAL_PROPERTIES_EXTENDED"
	additionalPropertiesNarrowed      = "ADDITIONAL_PROPERTIES_NARROWED"
	unevaluatedPropertiesAdded        = "UNEVALUATED_PROPERTIES_ADDED"
	unevaluatedPropertiesRemoved      = "UNEVALUATED_PROPERTIES_REMOVED"
	unevaluatedPropertiesExtended     = "UNEVALUATED_PROPERTIES_EXTENDED"
	unevaluatedPropertiesNarrowed     = "UNEVALUATED_PROPERTIES_NARROWED"
	dependencyArrayAdded              = "DEPENDENCY_ARRAY_ADDED"
	dependencyArrayRemoved            = "DEPENDENCY_ARRAY_REMOVED"
	dependencyArrayExtended           = "DEPENDENCY_ARRAY_EXTENDED"
	dependencyArrayNarrowed           = "DEPENDENCY_ARRAY_NARROWED"
	dependencyArrayChanged            = "DEPENDENCY_ARRAY_CHANGED"
	dependencySchemaAdded             = "DEPENDENCY_SCHEMA_ADDED"
	dependencySchemaRemoved           = "DEPENDENCY_SCHEMA_REMOVED"

	propertyAddedToOpen                = "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" // Confluent 7.x; kept for the lenient set
	optionalPropertyAddedToOpen        = "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
	requiredPropertyAddedToOpen        = "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
	requiredPropertyWithDefaultToOpen  = "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
	propertyWithEmptySchemaAddedToOpen = "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
	requiredPropertyAddedToUnopen      = "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
	requiredPropertyWithDefaultUnopen  = "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
	optionalPropertyAddedToUnopen      = "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
	propertyRemovedFromOpen            = "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"
	propertyWithFalseRemovedFromClosed = "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
	propertyRemovedFromClosed          = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
	propertyRemovedCovered             = "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	propertyRemovedNotCovered          = "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	propertyAddedCovered               = "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	propertyAddedNotCovered            = "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"

	maxItemsAdded                  = "MAX_ITEMS_ADDED"
	maxItemsRemoved                = "MAX_ITEMS_REMOVED"
	maxItemsIncreased              = "MAX_ITEMS_INCREASED"
	maxItemsDecreased              = "MAX_ITEMS_DECREASED"
	minItemsAdded                  = "MIN_ITEMS_ADDED"
	minItemsRemoved                = "MIN_ITEMS_REMOVED"
	minItemsIncreased              = "MIN_ITEMS_INCREASED"
	minItemsDecreased              = "MIN_ITEMS_DECREASED"
	uniqueItemsAdded               = "UNIQUE_ITEMS_ADDED"
	uniqueItemsRemoved             = "UNIQUE_ITEMS_REMOVED"
	maxContainsAdded               = "MAX_CONTAINS_ADDED"
	maxContainsRemoved             = "MAX_CONTAINS_REMOVED"
	maxContainsIncreased           = "MAX_CONTAINS_INCREASED"
	maxContainsDecreased           = "MAX_CONTAINS_DECREASED"
	minContainsAdded               = "MIN_CONTAINS_ADDED"
	minContainsRemoved             = "MIN_CONTAINS_REMOVED"
	minContainsIncreased           = "MIN_CONTAINS_INCREASED"
	minContainsDecreased           = "MIN_CONTAINS_DECREASED"
	additionalItemsAdded           = "ADDITIONAL_ITEMS_ADDED"
	additionalItemsRemoved         = "ADDITIONAL_ITEMS_REMOVED"
	additionalItemsExtended        = "ADDITIONAL_ITEMS_EXTENDED"
	additionalItemsNarrowed        = "ADDITIONAL_ITEMS_NARROWED"
	unevaluatedItemsAdded          = "UNEVALUATED_ITEMS_ADDED"
	unevaluatedItemsRemoved        = "UNEVALUATED_ITEMS_REMOVED"
	unevaluatedItemsExtended       = "UNEVALUATED_ITEMS_EXTENDED"
	unevaluatedItemsNarrowed       = "UNEVALUATED_ITEMS_NARROWED"
	itemAddedToOpen                = "ITEM_ADDED_TO_OPEN_CONTENT_MODEL"
	itemWithEmptySchemaAddedToOpen = "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
	itemAddedToClosed              = "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL"
	itemRemovedFromOpen            = "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL"
	itemWithFalseRemovedFromClosed = "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
	itemRemovedFromClosed          = "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"
	itemRemovedCovered             = "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	itemRemovedNotCovered          = "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	itemAddedCovered               = "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
	itemAddedNotCovered            = "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"

	enumArrayExtended = "ENUM_ARRAY_EXTENDED"
	enumArrayNarrowed = "ENUM_ARRAY_NARROWED"
	enumArrayChanged  = "ENUM_ARRAY_CHANGED"

	combinedTypeExtended          = "COMBINED_TYPE_EXTENDED"
	combinedTypeChanged           = "COMBINED_TYPE_CHANGED"
	productTypeExtended           = "PRODUCT_TYPE_EXTENDED"
	productTypeNarrowed           = "PRODUCT_TYPE_NARROWED"
	sumTypeExtended               = "SUM_TYPE_EXTENDED"
	sumTypeNarrowed               = "SUM_TYPE_NARROWED"
	combinedTypeSubschemasChanged = "COMBINED_TYPE_SUBSCHEMAS_CHANGED"
	notTypeExtended               = "NOT_TYPE_EXTENDED"
	notTypeNarrowed               = "NOT_TYPE_NARROWED"

	// diffTooComplex is charter's own: the comparison ran out of its step
	// budget before finishing, so the result cannot be trusted.
	diffTooComplex = "DIFF_TOO_COMPLEX"
)

type kindSet map[string]bool

func setOf(kinds ...string) kindSet {
	s := make(kindSet, len(kinds))
	for _, k := range kinds {
		s[k] = true
	}
	return s
}

func (s kindSet) with(kinds ...string) kindSet {
	out := make(kindSet, len(s)+len(kinds))
	for k := range s {
		out[k] = true
	}
	for _, k := range kinds {
		out[k] = true
	}
	return out
}

// compatibleStrict is Confluent's COMPATIBLE_CHANGES_STRICT. The
// MIN/MAX_CONTAINS entries follow the vectors (decreasing minContains is
// compatible) and the other bounds (relaxing is compatible).
var compatibleStrict = setOf(
	idChanged, descriptionChanged, titleChanged, defaultChanged, schemaRemoved, typeExtended,
	maxLengthIncreased, maxLengthRemoved, minLengthDecreased, minLengthRemoved, patternRemoved,
	maximumIncreased, maximumRemoved, minimumDecreased, minimumRemoved,
	exclusiveMaximumIncreased, exclusiveMaximumRemoved, exclusiveMinimumDecreased, exclusiveMinimumRemoved,
	multipleOfReduced, multipleOfRemoved,
	requiredAttributeWithDefaultAdded, requiredAttributeRemoved,
	dependencyArrayNarrowed, dependencyArrayRemoved, dependencySchemaRemoved,
	maxPropertiesIncreased, maxPropertiesRemoved, minPropertiesDecreased, minPropertiesRemoved,
	additionalPropertiesAdded, additionalPropertiesExtended,
	unevaluatedPropertiesAdded, unevaluatedPropertiesExtended,
	propertyWithEmptySchemaAddedToOpen, requiredPropertyWithDefaultUnopen, optionalPropertyAddedToUnopen,
	propertyWithFalseRemovedFromClosed, propertyRemovedFromOpen,
	propertyAddedCovered, propertyRemovedCovered,
	maxItemsIncreased, maxItemsRemoved, minItemsDecreased, minItemsRemoved, uniqueItemsRemoved,
	maxContainsIncreased, maxContainsRemoved, minContainsDecreased, minContainsRemoved,
	additionalItemsAdded, additionalItemsExtended, unevaluatedItemsAdded, unevaluatedItemsExtended,
	itemWithEmptySchemaAddedToOpen, itemAddedToClosed, itemWithFalseRemovedFromClosed, itemRemovedFromOpen,
	itemAddedCovered, itemRemovedCovered,
	enumArrayExtended,
	combinedTypeExtended, productTypeNarrowed, sumTypeExtended, notTypeNarrowed,
)

// compatibleLenient is Confluent's COMPATIBLE_CHANGES_LENIENT: STRICT plus
// the open-content-model changes a team may choose to accept.
var compatibleLenient = compatibleStrict.with(
	additionalPropertiesNarrowed, additionalPropertiesRemoved,
	unevaluatedPropertiesNarrowed, unevaluatedPropertiesRemoved,
	propertyAddedToOpen, optionalPropertyAddedToOpen, requiredPropertyWithDefaultToOpen,
	propertyRemovedFromOpen,
	propertyAddedNotCovered, propertyRemovedNotCovered,
)

// kindText says in words what a kind of change is.
var kindText = map[string]string{
	idChanged:          "the $id changed",
	descriptionChanged: "the description changed",
	titleChanged:       "the title changed",
	defaultChanged:     "the default value changed",
	schemaAdded:        "a schema was added where there was none, so values the old schema accepted may now be rejected",
	schemaRemoved:      "a schema was removed, so any value is now accepted",
	typeExtended:       "the type was widened from integer to number",
	typeNarrowed:       "the type was narrowed from number to integer",
	typeChanged:        "the type changed, so values of the old type are rejected",

	maxLengthAdded:     "maxLength was added",
	maxLengthRemoved:   "maxLength was removed",
	maxLengthIncreased: "maxLength was increased",
	maxLengthDecreased: "maxLength was decreased, so longer strings written before are rejected",
	minLengthAdded:     "minLength was added",
	minLengthRemoved:   "minLength was removed",
	minLengthIncreased: "minLength was increased, so shorter strings written before are rejected",
	minLengthDecreased: "minLength was decreased",
	patternAdded:       "a pattern was added",
	patternRemoved:     "the pattern was removed",
	patternChanged:     "the pattern changed",

	maximumAdded:              "maximum was added",
	maximumRemoved:            "maximum was removed",
	maximumIncreased:          "maximum was increased",
	maximumDecreased:          "maximum was decreased, so larger numbers written before are rejected",
	minimumAdded:              "minimum was added",
	minimumRemoved:            "minimum was removed",
	minimumIncreased:          "minimum was increased, so smaller numbers written before are rejected",
	minimumDecreased:          "minimum was decreased",
	exclusiveMaximumAdded:     "exclusiveMaximum was added",
	exclusiveMaximumRemoved:   "exclusiveMaximum was removed",
	exclusiveMaximumIncreased: "exclusiveMaximum was increased",
	exclusiveMaximumDecreased: "exclusiveMaximum was decreased",
	exclusiveMinimumAdded:     "exclusiveMinimum was added",
	exclusiveMinimumRemoved:   "exclusiveMinimum was removed",
	exclusiveMinimumIncreased: "exclusiveMinimum was increased",
	exclusiveMinimumDecreased: "exclusiveMinimum was decreased",
	multipleOfAdded:           "multipleOf was added",
	multipleOfRemoved:         "multipleOf was removed",
	multipleOfExpanded:        "multipleOf was changed to a multiple of its old value",
	multipleOfReduced:         "multipleOf was changed to a divisor of its old value",
	multipleOfChanged:         "multipleOf changed",

	requiredAttributeAdded:            "the property became required, and it has no default",
	requiredAttributeWithDefaultAdded: "the property became required, with a default",
	requiredAttributeRemoved:          "the property is no longer required",
	maxPropertiesAdded:                "maxProperties was added",
	maxPropertiesRemoved:              "maxProperties was removed",
	maxPropertiesIncreased:            "maxProperties was increased",
	maxPropertiesDecreased:            "maxProperties was decreased",
	minPropertiesAdded:                "minProperties was added",
	minPropertiesRemoved:              "minProperties was removed",
	minPropertiesIncreased:            "minProperties was increased",
	minPropertiesDecreased:            "minProperties was decreased",
	additionalPropertiesAdded:         "additional properties are now allowed",
	additionalPropertiesRemoved:       "additional properties are no longer allowed",
	additionalPropertiesExtended:      "additional properties may now have any value",
	additionalPropertiesNarrowed:      "additional properties are now restricted by a schema",
	unevaluatedPropertiesAdded:        "unevaluated properties are now allowed",
	unevaluatedPropertiesRemoved:      "unevaluated properties are no longer allowed",
	unevaluatedPropertiesExtended:     "unevaluated properties may now have any value",
	unevaluatedPropertiesNarrowed:     "unevaluated properties are now restricted by a schema",
	dependencyArrayAdded:              "a property dependency was added",
	dependencyArrayRemoved:            "a property dependency was removed",
	dependencyArrayExtended:           "a property dependency now requires more properties",
	dependencyArrayNarrowed:           "a property dependency now requires fewer properties",
	dependencyArrayChanged:            "a property dependency changed",
	dependencySchemaAdded:             "a schema dependency was added",
	dependencySchemaRemoved:           "a schema dependency was removed",

	propertyAddedToOpen:                "a property was added to an open content model; old data may hold it with another type",
	optionalPropertyAddedToOpen:        "an optional property was added to an open content model; old data may hold it with another type",
	requiredPropertyAddedToOpen:        "a required property without default was added to an open content model",
	requiredPropertyWithDefaultToOpen:  "a required property with a default was added to an open content model; old data may hold it with another type",
	propertyWithEmptySchemaAddedToOpen: "a property that accepts anything was added to an open content model",
	requiredPropertyAddedToUnopen:      "a required property without default was added, so old data without it is rejected",
	requiredPropertyWithDefaultUnopen:  "a required property with a default was added to a closed or partially open content model",
	optionalPropertyAddedToUnopen:      "an optional property was added to a closed or partially open content model",
	propertyRemovedFromOpen:            "a property was removed from an open content model",
	propertyWithFalseRemovedFromClosed: "a property that was not allowed was removed from a closed content model",
	propertyRemovedFromClosed:          "a property was removed from a closed content model, so old data that has it is rejected",
	propertyRemovedCovered:             "a property was removed and its values are still accepted by the partially open content model",
	propertyRemovedNotCovered:          "a property was removed and the partially open content model does not accept its old values",
	propertyAddedCovered:               "a property was added whose schema accepts what the old partially open content model allowed for it",
	propertyAddedNotCovered:            "a property was added whose schema rejects values the old partially open content model allowed for it",

	maxItemsAdded:                  "maxItems was added",
	maxItemsRemoved:                "maxItems was removed",
	maxItemsIncreased:              "maxItems was increased",
	maxItemsDecreased:              "maxItems was decreased",
	minItemsAdded:                  "minItems was added",
	minItemsRemoved:                "minItems was removed",
	minItemsIncreased:              "minItems was increased",
	minItemsDecreased:              "minItems was decreased",
	uniqueItemsAdded:               "uniqueItems was added",
	uniqueItemsRemoved:             "uniqueItems was removed",
	maxContainsAdded:               "maxContains was added",
	maxContainsRemoved:             "maxContains was removed",
	maxContainsIncreased:           "maxContains was increased",
	maxContainsDecreased:           "maxContains was decreased",
	minContainsAdded:               "minContains was added",
	minContainsRemoved:             "minContains was removed",
	minContainsIncreased:           "minContains was increased",
	minContainsDecreased:           "minContains was decreased",
	additionalItemsAdded:           "additional items are now allowed",
	additionalItemsRemoved:         "additional items are no longer allowed",
	additionalItemsExtended:        "additional items may now have any value",
	additionalItemsNarrowed:        "additional items are now restricted by a schema",
	unevaluatedItemsAdded:          "unevaluated items are now allowed",
	unevaluatedItemsRemoved:        "unevaluated items are no longer allowed",
	unevaluatedItemsExtended:       "unevaluated items may now have any value",
	unevaluatedItemsNarrowed:       "unevaluated items are now restricted by a schema",
	itemAddedToOpen:                "a tuple item was added to an open content model; old data may hold another type there",
	itemWithEmptySchemaAddedToOpen: "a tuple item that accepts anything was added to an open content model",
	itemAddedToClosed:              "a tuple item was added to a closed content model",
	itemRemovedFromOpen:            "a tuple item was removed from an open content model",
	itemWithFalseRemovedFromClosed: "a tuple item that was not allowed was removed from a closed content model",
	itemRemovedFromClosed:          "a tuple item was removed from a closed content model, so old data that has it is rejected",
	itemRemovedCovered:             "a tuple item was removed and its values are still accepted by the additional-items schema",
	itemRemovedNotCovered:          "a tuple item was removed and the additional-items schema does not accept its old values",
	itemAddedCovered:               "a tuple item was added whose schema accepts what the old additional-items schema allowed",
	itemAddedNotCovered:            "a tuple item was added whose schema rejects values the old additional-items schema allowed",

	enumArrayExtended: "values were added to the enum",
	enumArrayNarrowed: "values were removed from the enum, so old data holding them is rejected",
	enumArrayChanged:  "the allowed values changed",

	combinedTypeExtended:          "the combination became less restrictive (e.g. oneOf to anyOf)",
	combinedTypeChanged:           "the combination keyword changed (allOf, anyOf, oneOf) in a way that rejects old data",
	productTypeExtended:           "an allOf gained subschemas, so old data must now satisfy more",
	productTypeNarrowed:           "an allOf lost subschemas",
	sumTypeExtended:               "an anyOf/oneOf gained alternatives",
	sumTypeNarrowed:               "an anyOf/oneOf lost alternatives, so old data may match none",
	combinedTypeSubschemasChanged: "no pairing of old and new subschemas keeps them compatible",
	notTypeExtended:               "the schema under not now matches more, so more values are rejected",
	notTypeNarrowed:               "the schema under not now matches less",

	diffTooComplex: "the schemas are too complex to compare within the step budget; treat the change as incompatible",
}

// describe gives the message of a change at path.
func describe(kind, path string) string {
	text, ok := kindText[kind]
	if !ok {
		text = kind
	}
	return text + " (at " + path + ")"
}
