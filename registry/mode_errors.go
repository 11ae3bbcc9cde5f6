package registry

import "strings"

// The texts of a write a subject's mode refuses, as Confluent's registry
// words them ("Subject orders-value in context  is in read-only mode": the
// context is empty for the default one), so that clients and scripts
// matching on them see the same string.

func errReadOnlyMode(subject string) *Error {
	return Errorf(CodeOperationNotPermitted, "Subject %s in context %s is in read-only mode", subject, messageContext(subject))
}

func errNotImportMode(subject string) *Error {
	return Errorf(CodeOperationNotPermitted, "Subject %s in context %s is not in import mode", subject, messageContext(subject))
}

func errNotReadWriteMode(subject string) *Error {
	return Errorf(CodeOperationNotPermitted, "Subject %s in context %s is not in read-write mode", subject, messageContext(subject))
}

// errReadOnlyConfig refuses a config write in a READONLY scope. Confluent
// names the global scope "null" (its subject is a Java null there).
func errReadOnlyConfig(subject string) *Error {
	if subject == "" {
		return Errorf(CodeOperationNotPermitted, "Subject null in context  is in read-only mode")
	}
	return errReadOnlyMode(subject)
}

// messageContext is the context of subject as Confluent prints it in these
// messages: "" for the default context, ":.staging:" for
// ":.staging:orders-value".
func messageContext(subject string) string {
	if !hasContextPrefix(subject) {
		return ""
	}
	i := strings.IndexByte(subject[2:], ':')
	if i < 0 {
		return ""
	}
	ctx := subject[1 : 2+i]
	if ctx == "." {
		return ""
	}
	return ":" + ctx + ":"
}
