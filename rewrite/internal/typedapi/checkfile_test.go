package typedapi

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// replace type-checks f's replacement of obj in a small file against r
// with T = item, and returns the file and the type of the replacement.
func replace(e *Entry, f Form, obj types.Object, r *release, item types.Type) (string, types.Type, error) {
	imports := map[string]string{Path: "workqueue"}
	qual := func(p *types.Package) string {
		imports[p.Path()] = p.Name()
		return p.Name()
	}
	var body string
	if e.Kind == Func {
		sig := atItem(obj.(*types.Func).Signature(), item)
		params, args := placeholders(sig, qual)
		body = "func check(" + params + ") {\n\tx := " + f.Call("workqueue", "T", args) + "\n\t_ = x\n}\n"
	} else {
		body = "func check() {\n\tvar x " + f.Type("workqueue", "T") + "\n\t_ = x\n}\n"
	}
	src := "package check\n\nimport (\n" + importLines(imports) + ")\n\ntype T = " +
		types.TypeString(item, qual) + "\n\n" + body
	got, err := typeOfX(src, r)
	return src, got, err
}

// placeholders returns parameters a0, a1, ... of sig's types, and the
// arguments an old call passes: the same names, the variadic one spread.
func placeholders(sig *types.Signature, qual types.Qualifier) (string, []string) {
	var params []string
	args := []string{}
	for i := range sig.Params().Len() {
		name := "a" + strconv.Itoa(i)
		typ := sig.Params().At(i).Type()
		arg := name
		if sig.Variadic() && i == sig.Params().Len()-1 {
			typ = typ.(*types.Slice).Elem()
			params = append(params, name+" ..."+types.TypeString(typ, qual))
			arg += "..."
		} else {
			params = append(params, name+" "+types.TypeString(typ, qual))
		}
		args = append(args, arg)
	}
	return strings.Join(params, ", "), args
}

func importLines(imports map[string]string) string {
	var b strings.Builder
	for _, path := range slices.Sorted(maps.Keys(imports)) {
		b.WriteString("\t" + imports[path] + " \"" + path + "\"\n")
	}
	return b.String()
}

// typeOfX type-checks src against release r and returns the type of its
// variable x.
func typeOfX(src string, r *release) (types.Type, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "check.go", src, 0)
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: (*releaseImporter)(r)}
	info := &types.Info{Defs: make(map[*ast.Ident]types.Object)}
	if _, err := conf.Check("check", fset, []*ast.File{file}, info); err != nil {
		return nil, err
	}
	for id, obj := range info.Defs {
		if id.Name == "x" {
			return obj.Type(), nil
		}
	}
	return nil, fmt.Errorf("no x in the check file")
}

// releaseImporter resolves the work-queue package of r and the packages
// it imports, the only ones a check file names.
type releaseImporter release

func (r *releaseImporter) Import(path string) (*types.Package, error) {
	wq := r.pkg.Types
	if path == wq.Path() {
		return wq, nil
	}
	for _, p := range wq.Imports() {
		if p.Path() == path {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%s is not imported by %s", path, wq.Path())
}
