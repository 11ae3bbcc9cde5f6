package jsontext

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"type":"object","properties":{`)
	for i := range 200 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"p%d":{"type":["string","null"],"description":"property %d","maxLength":%d}`, i, i, i)
	}
	sb.WriteString(`}}`)
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text, Options{MaxDepth: 64, MaxNumberLen: 512}); err != nil {
			b.Fatal(err)
		}
	}
}
