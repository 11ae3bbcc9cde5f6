package serde

import "errors"

// SubjectNameStrategy names the subject a topic's keys or values are
// registered under. record is the fully qualified name of the value's
// record or message type, or "" when it has none.
type SubjectNameStrategy func(topic string, key bool, record string) (string, error)

// ErrNoRecordName is returned by RecordName and TopicRecordName when the
// value's record name is unknown: an Avro or JSON serializer needs
// WithSchema to know it.
var ErrNoRecordName = errors.New("the subject strategy needs the record name, but the value's schema has none")

func suffix(key bool) string {
	if key {
		return "-key"
	}
	return "-value"
}

// TopicName is the default strategy: "<topic>-value" (or "-key"), one schema
// lineage per topic.
func TopicName(topic string, key bool, _ string) (string, error) {
	return topic + suffix(key), nil
}

// RecordName names the subject after the record type alone, so one type
// keeps one lineage across every topic it is written to.
func RecordName(_ string, _ bool, record string) (string, error) {
	if record == "" {
		return "", ErrNoRecordName
	}
	return record, nil
}

// TopicRecordName names the subject "<topic>-<record>", for topics that
// carry several record types, each with its own lineage.
func TopicRecordName(topic string, _ bool, record string) (string, error) {
	if record == "" {
		return "", ErrNoRecordName
	}
	return topic + "-" + record, nil
}
