package protobuf

import (
	"testing"

	"github.com/charter-registry/charter/compat/compattest"
)

func TestConformance(t *testing.T) {
	compattest.Run(t, New(), compattest.Case{
		Schema: `syntax = "proto3";
package acme;

// An order.
message Order {
  string id = 1;
  int32 qty = 2;
  message Line {
    string sku = 1;
  }
  Line line = 3;
  State state = 4;
}

enum State {
  NEW = 0;
  DONE = 1;
}
`,
		Spaced: "syntax = \"proto3\";   package acme;\n\n\n// An order.\nmessage Order { string id = 1;\n int32 qty = 2;\n" +
			"  message Line { string sku = 1; }\n  Line line = 3; State state = 4; }\nenum State { NEW = 0; DONE = 1; }\n",
		Changed: `syntax = "proto3";
package acme;

message Order {
  int64 id = 1;
  int32 qty = 2;
}
`,
		Invalid: []string{
			"syntax = \"proto3\";\nmessage M {\n  strin x = 1;\n}\n",
			"syntax = \"proto3\";\nmessage M { int32 a = 1; int32 b = 1; }",
			"message {",
		},
		Renderings: []string{"serialized", "ignore_extensions"},
	})
}
