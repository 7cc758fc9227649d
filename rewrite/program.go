package rewrite

import (
	"go/types"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// program is the SSA form of the loaded packages: bodies for the targets,
// declarations only for their dependencies.
type program struct {
	prog    *ssa.Program
	ssa     map[*packages.Package]*ssa.Package
	targets map[*types.Package]bool
	funcs   map[*ssa.Function]bool // functions with bodies from the targets
}

// buildProgram creates and builds SSA for pkgs. Dependencies are created
// from their types alone, so nothing below the targets is analysed, and
// so are the target functions rel does not keep (see relevant.go).
func buildProgram(pkgs []*packages.Package, rel relevance) *program {
	p := &program{
		ssa:     make(map[*packages.Package]*ssa.Package),
		targets: make(map[*types.Package]bool),
	}
	if len(pkgs) == 0 {
		return p
	}
	p.prog = ssa.NewProgram(pkgs[0].Fset, ssa.InstantiateGenerics)
	created := make(map[*types.Package]bool)
	for _, pkg := range pkgs {
		created[pkg.Types] = true
		p.targets[pkg.Types] = true
		p.ssa[pkg] = p.prog.CreatePackage(pkg.Types, elideBodies(pkg.Syntax, pkg.TypesInfo, rel), pkg.TypesInfo, true)
	}
	for _, pkg := range pkgs {
		createImports(p.prog, pkg.Types.Imports(), created)
	}
	p.prog.Build()
	p.funcs = targetFuncs(p.ssa)
	return p
}

// createImports creates declaration-only SSA packages for the direct
// imports, which is all SSA needs: indirect dependencies are created on
// demand, and creating them all would cost more than the targets (the
// Kubernetes API packages declare thousands of types).
func createImports(prog *ssa.Program, imports []*types.Package, created map[*types.Package]bool) {
	for _, imp := range imports {
		if !created[imp] {
			created[imp] = true
			prog.CreatePackage(imp, nil, nil, true)
		}
	}
}

// targetFuncs returns every function with a body that the target packages
// declare or cause to exist: members, methods, closures, instantiations and
// the wrappers for method values.
func targetFuncs(pkgs map[*packages.Package]*ssa.Package) map[*ssa.Function]bool {
	funcs := make(map[*ssa.Function]bool)
	targets := make(map[*ssa.Package]bool)
	for _, sp := range pkgs {
		targets[sp] = true
	}
	var work []*ssa.Function
	add := func(fn *ssa.Function) {
		if fn != nil && !funcs[fn] && fn.Blocks != nil {
			funcs[fn] = true
			work = append(work, fn)
		}
	}
	for _, sp := range pkgs {
		for _, fn := range packageFuncs(sp) {
			add(fn)
		}
	}
	for len(work) > 0 {
		fn := work[len(work)-1]
		work = work[:len(work)-1]
		for _, anon := range fn.AnonFuncs {
			add(anon)
		}
		for _, ref := range referencedFuncs(fn) {
			if isTargetFunc(ref, targets) {
				add(ref)
			}
		}
	}
	return funcs
}

// packageFuncs returns the package-level functions and the methods of the
// package-level types of sp.
func packageFuncs(sp *ssa.Package) []*ssa.Function {
	var out []*ssa.Function
	prog := sp.Prog
	for _, m := range sp.Members {
		switch m := m.(type) {
		case *ssa.Function:
			out = append(out, m)
		case *ssa.Type:
			for _, sel := range methodsOf(prog, m.Type()) {
				out = append(out, prog.MethodValue(sel))
			}
		}
	}
	return out
}

// methodsOf returns the methods of t and *t that may matter, none for an
// uninstantiated generic type.
func methodsOf(prog *ssa.Program, t types.Type) []*types.Selection {
	if match.IsGeneric(t) || noMethods(t) || noBodies(prog, t) {
		return nil
	}
	var out []*types.Selection
	for _, recv := range []types.Type{t, types.NewPointer(t)} {
		mset := prog.MethodSets.MethodSet(recv)
		for i := 0; i < mset.Len(); i++ {
			if sel := mset.At(i); mayMatter(prog, sel) {
				out = append(out, sel)
			}
		}
	}
	return out
}

// noMethods reports whether t and *t have empty method sets without
// computing them: a defined type that declares no methods, is no
// interface and embeds nothing. Most types of a module are such, and
// their method sets were a good part of the time SSA took to set up.
func noMethods(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.NumMethods() == 0 && !mayPromote(n)
}

// noBodies reports whether t is a defined type, no interface and
// embedding nothing, none of whose methods has a body in the slice: then
// none of the methods of t and *t may matter, and their method sets (most
// of a module's, and 28 MB on 1,000 packages) need not be computed.
func noBodies(prog *ssa.Program, t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || mayPromote(n) {
		return false
	}
	for i := 0; i < n.NumMethods(); i++ {
		if fn := prog.FuncValue(n.Method(i)); fn == nil || fn.Blocks != nil {
			return false
		}
	}
	return true
}

// mayPromote reports whether n's method sets may hold methods it does not
// declare: it is an interface, or a struct that embeds a field.
func mayPromote(n *types.Named) bool {
	switch u := n.Underlying().(type) {
	case *types.Interface:
		return true
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if u.Field(i).Embedded() {
				return true
			}
		}
	}
	return false
}

// mayMatter reports whether the method sel selects can lead anywhere the
// rules look: its declaration has a body in the slice, or it is an
// interface's method (a promoted one dispatches dynamically). Skipping the
// rest saves building a wrapper for every value method in the pointer
// method set and every method promoted from a dependency's type: their
// calls end in a body that is not analysed either way.
func mayMatter(prog *ssa.Program, sel *types.Selection) bool {
	obj, ok := sel.Obj().(*types.Func)
	if !ok {
		return false
	}
	if types.IsInterface(obj.Signature().Recv().Type()) {
		return true
	}
	fn := prog.FuncValue(obj)
	return fn == nil || fn.Blocks != nil // nil: a method of an instantiated type; keep it
}

// referencedFuncs returns the functions fn calls statically or uses as values.
func referencedFuncs(fn *ssa.Function) []*ssa.Function {
	var out []*ssa.Function
	var ops []*ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ops = instr.Operands(ops[:0])
			for _, op := range ops {
				if f, ok := (*op).(*ssa.Function); ok {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// isTargetFunc reports whether fn belongs to a target package or is a
// synthetic wrapper (bound method, thunk, instantiation) built for one.
func isTargetFunc(fn *ssa.Function, targets map[*ssa.Package]bool) bool {
	if fn.Pkg != nil {
		return targets[fn.Pkg]
	}
	if o := fn.Origin(); o != nil && o.Pkg != nil {
		return targets[o.Pkg]
	}
	return fn.Synthetic != ""
}
