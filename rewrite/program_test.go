package rewrite

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// TestNoMethods checks the shortcut targetFuncs takes past method sets:
// where noMethods says a type has none, go/types agrees for t and *t.
func TestNoMethods(t *testing.T) {
	const src = `package p

import "sync"

type Plain struct{ n int; s []string }
type Num int
type Ptr *Plain
type Fn func(string) error
type Alias = Plain
type WithMethod struct{}
func (WithMethod) M() {}
type PtrMethod struct{}
func (*PtrMethod) M() {}
type EmbedsLock struct{ sync.Mutex }
type EmbedsIface struct{ error }
type EmbedsPlain struct{ Plain }
type Iface interface{ M() }
type Empty interface{}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"Plain": true, "Num": true, "Ptr": true, "Fn": true, "Alias": true,
		"WithMethod": false, "PtrMethod": false, "EmbedsLock": false, "EmbedsIface": false,
		"EmbedsPlain": false, // empty, but finding out takes the method set
		"Iface":       false, "Empty": false,
	}
	for name, w := range want {
		typ := pkg.Scope().Lookup(name).Type()
		got := noMethods(typ)
		if got != w {
			t.Errorf("noMethods(%s) = %v, want %v", name, got, w)
		}
		if !got {
			continue
		}
		for _, recv := range []types.Type{typ, types.NewPointer(typ)} {
			if n := types.NewMethodSet(recv).Len(); n > 0 {
				t.Errorf("noMethods(%s) = true, but the method set of %s has %d methods", name, recv, n)
			}
		}
	}
}
