package udiff

import (
	"bytes"
	"fmt"
	"strings"
)

// writeHeader writes the "diff --git", "---" and "+++" lines for path.
func writeHeader(buf *bytes.Buffer, path string) {
	a, b := quotePath("a/"+path), quotePath("b/"+path)
	// git appends a tab to ---/+++ names that contain a space so that
	// patch(1) does not take the rest of the name for a timestamp.
	tab := ""
	if strings.Contains(path, " ") {
		tab = "\t"
	}
	fmt.Fprintf(buf, "diff --git %s %s\n--- %s%s\n+++ %s%s\n", a, b, a, tab, b, tab)
}

// cEscapes are the short escapes git's quote_c_style uses.
var cEscapes = map[byte]string{
	'\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`,
	'\v': `\v`, '\f': `\f`, '\r': `\r`, '"': `\"`, '\\': `\\`,
}

// quotePath quotes name like git does with core.quotePath=true (the
// default): names with control characters, '"', '\\' or non-ASCII bytes
// are written in double quotes with C escapes and octal bytes.
func quotePath(name string) string {
	if !needsQuote(name) {
		return name
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch esc, ok := cEscapes[c]; {
		case ok:
			sb.WriteString(esc)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\%03o`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func needsQuote(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}
