package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"unicode"

	"github.com/queuefix/queuefix/rewrite"
)

// fingerprintKey names queuefix's partialFingerprints entry. Code scanning
// matches alerts across commits by it, so it must not change when lines
// move: it hashes the rule, the enclosing function and the text of the
// call (or statement) at the finding with all white space removed, and
// counts equal hashes in a file so that twin sites stay apart.
const fingerprintKey = "queuefixSite/v1"

type fingerprinter struct {
	fset  *token.FileSet
	files map[string]*ast.File // nil when the file does not parse
	src   map[string][]byte
	seen  map[string]int // file URI and hash -> sites so far
}

func newFingerprinter() *fingerprinter {
	return &fingerprinter{fset: token.NewFileSet(), files: map[string]*ast.File{}, src: map[string][]byte{}, seen: map[string]int{}}
}

// of returns the fingerprint of f, whose file has the given URI.
func (fp *fingerprinter) of(f rewrite.Finding, uri string) string {
	fn, text := fp.site(f.Pos)
	sum := sha256.Sum256([]byte(string(f.Rule) + "\x00" + fn + "\x00" + text))
	h := hex.EncodeToString(sum[:16])
	fp.seen[uri+" "+h]++
	return fmt.Sprintf("%s:%d", h, fp.seen[uri+" "+h])
}

// site returns the name of the function enclosing pos and the normalised
// text of the innermost call or statement there; empty strings when the
// file cannot be read again.
func (fp *fingerprinter) site(pos token.Position) (string, string) {
	f := fp.parse(pos.Filename)
	if f == nil {
		return "", ""
	}
	tf := fp.fset.File(f.FileStart)
	if pos.Offset > tf.Size() {
		return "", ""
	}
	at := tf.Pos(pos.Offset)
	var fn string
	var node ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || at < n.Pos() || at >= n.End() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			fn = funcName(n)
		case *ast.FuncLit:
			fn += ".func"
		case *ast.CallExpr, ast.Stmt:
			if _, ok := n.(*ast.BlockStmt); !ok {
				node = n
			}
		}
		return true
	})
	if node == nil {
		return fn, ""
	}
	src := fp.src[pos.Filename][tf.Offset(node.Pos()):tf.Offset(node.End())]
	return fn, squeeze(string(src))
}

func (fp *fingerprinter) parse(name string) *ast.File {
	if f, ok := fp.files[name]; ok {
		return f
	}
	src, err := os.ReadFile(name)
	var f *ast.File
	if err == nil {
		f, err = parser.ParseFile(fp.fset, name, src, parser.SkipObjectResolution)
	}
	if err != nil {
		f = nil
	}
	fp.files[name], fp.src[name] = f, src
	return f
}

// funcName spells a declaration as (*T).m, T.m or f.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	star := ""
	if s, ok := t.(*ast.StarExpr); ok {
		t, star = s.X, "*"
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if ix, ok := t.(*ast.IndexListExpr); ok {
		t = ix.X
	}
	name := "?"
	if id, ok := t.(*ast.Ident); ok {
		name = id.Name
	}
	return "(" + star + name + ")." + d.Name.Name
}

// squeeze drops white space and the trailing commas a call split over
// lines needs, so re-indentation and line breaks inside a call do not
// change its fingerprint.
func squeeze(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.NewReplacer(",)", ")", ",}", "}").Replace(s)
}
