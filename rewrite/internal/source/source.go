// Package source reads Go source text: the text of a node and the layout
// of lines (line endings, indentation, what shares a line), for the
// messages and edits of every rule and of the walk.
package source

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// Text returns the source text of n in src, the bytes of the file tf.
func Text(tf *token.File, src []byte, n ast.Node) string {
	return string(src[tf.Offset(n.Pos()):tf.Offset(n.End())])
}

// OnlyBlanksBefore reports whether src holds only spaces and tabs between
// the start of the line and offset.
func OnlyBlanksBefore(src []byte, offset int) bool {
	for i := offset - 1; i >= 0 && src[i] != '\n'; i-- {
		if src[i] != ' ' && src[i] != '\t' {
			return false
		}
	}
	return true
}

// LineEnding returns the file's line ending: "\r\n" when its first line
// ends so, "\n" otherwise.
func LineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// LineStart returns the offset of the start of off's line.
func LineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' {
		off--
	}
	return off
}

// StartsLine reports whether only blanks precede off on its line.
func StartsLine(src []byte, off int) bool {
	return OnlyBlanksBefore(src, off)
}

// IndentOf returns the blanks that start off's line.
func IndentOf(src []byte, off int) string {
	start := LineStart(src, off)
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

func NextNewline(src []byte, off int) int {
	for i := off; i < len(src); i++ {
		if src[i] == '\n' {
			return i
		}
	}
	return -1
}

// IndentLines puts indent after each line break of the expression text,
// and writes line breaks as nl, except inside raw strings.
func IndentLines(text, nl, indent string) (string, error) {
	fset := token.NewFileSet()
	expr, err := parser.ParseExprFrom(fset, "", text, 0)
	if err != nil {
		return "", err
	}
	tf := fset.File(expr.Pos())
	var raw [][2]int
	ast.Inspect(expr, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") {
			raw = append(raw, [2]int{tf.Offset(lit.Pos()), tf.Offset(lit.End())})
		}
		return true
	})
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '\n' || inside(raw, i) {
			b.WriteByte(text[i])
			continue
		}
		b.WriteString(nl + indent)
	}
	return b.String(), nil
}

// EndsLineWithComma reports whether only a comma and blanks follow off on
// its line.
func EndsLineWithComma(src []byte, off int) bool {
	if off >= len(src) || src[off] != ',' {
		return false
	}
	for off++; off < len(src) && src[off] != '\n'; off++ {
		if src[off] != ' ' && src[off] != '\t' && src[off] != '\r' {
			return false
		}
	}
	return off < len(src)
}

func inside(spans [][2]int, off int) bool {
	for _, sp := range spans {
		if sp[0] <= off && off < sp[1] {
			return true
		}
	}
	return false
}
