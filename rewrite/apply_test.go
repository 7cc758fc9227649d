package rewrite

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

// TestCheckEdit type-checks inserted and renamed calls where they stand,
// with the names in scope at their place in the original file.
func TestCheckEdit(t *testing.T) {
	const src = `package p

type Q struct{}

func (Q) Forget(key string) {}
func (Q) AddRateLimited(item any) {}
func (Q) Add(key string) {}

func work(q Q, item any) {
	key := item.(string)
	_ = key
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.Default()}
	pkg, err := conf.Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body
	before, after := body.List[0].Pos(), body.List[1].Pos() // key := ...; _ = key
	a := &index{fset: fset}
	for _, tc := range []struct {
		stmt string
		at   token.Pos
		want string // "" when the call type-checks
	}{
		{"q.Forget(key)", after, ""},
		{"q.Forget(key)", before, "undefined: key"},
		{"q.Forget(item)", after, "cannot use item"},
		{"q.Add(item)", after, "cannot use item"},
		{"q.AddRateLimited(item)", before, ""},
	} {
		newSrc := strings.Replace(src, "\t_ = key\n", "\t_ = key\n\t"+tc.stmt+"\n", 1)
		nf, err := parser.ParseFile(fset, "p.go", newSrc, 0)
		if err != nil {
			t.Fatal(err)
		}
		off := strings.Index(newSrc, tc.stmt)
		err = a.checkEdit(nf, [2]int{off, off + len(tc.stmt)}, editCheck{pkg, tc.at})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s at %v: %v", tc.stmt, fset.Position(tc.at), err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s at %v: error %v, want %q", tc.stmt, fset.Position(tc.at), err, tc.want)
		}
	}
}
