package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"runtime"
	"sync"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// The call graph only has to answer questions about AddRateLimited sites
// and the handler values that may reach them, and most of a module's code
// can call neither. Building SSA for all of it would cost more than loading
// the module. So a cheap pass over the syntax first finds the function
// declarations that can matter, and SSA is built from the others'
// signatures alone.
//
// The pass is a backward closure that over-approximates every kind of
// call: it starts from the declarations that mention AddRateLimited or an
// event-handler func type, and adds every declaration that names one
// already in (a call, a method value, a function value), that calls an
// interface method by a name one of them has, or that calls a func value
// whose signature one of them (or a func literal inside one) has. Every
// caller of a relevant function, on any path, is therefore relevant and
// kept: leaving bodies out never hides a non-handler path to a site.

// declFacts is what one function declaration's body mentions.
type declFacts struct {
	decl     *ast.FuncDecl
	seed     bool          // mentions AddRateLimited or a handler func type
	refs     []*types.Func // functions and methods it calls or takes as values
	methods  []string      // interface methods it calls
	dynSigs  []*types.Signature
	litSigs  []*types.Signature // signatures of its func literals
	fn       *types.Func
	relevant bool
}

// relevance is what relevantDecls found: the declarations whose bodies
// SSA needs (keep), and the functions that code SSA builds refers to
// (named): what the kept bodies and the package-level variables'
// initializers name.
type relevance struct {
	keep  map[*ast.FuncDecl]bool
	named map[*types.Func]bool
}

// relevantDecls returns the relevance of the packages' declarations.
func relevantDecls(pkgs []*packages.Package) relevance {
	facts := make(map[*ast.FuncDecl]*declFacts)
	for _, list := range collectAll(pkgs) {
		for _, df := range list {
			mergeFacts(facts, df)
		}
	}
	keep := closeRelevant(facts)
	named := initializerRefs(pkgs)
	for fd := range keep {
		for _, fn := range facts[fd].refs {
			named[fn] = true
		}
	}
	return relevance{keep, named}
}

// initializerRefs returns the functions that package-level variables'
// initializers name: SSA builds them into the package initializer.
func initializerRefs(pkgs []*packages.Package) map[*types.Func]bool {
	out := make(map[*types.Func]bool)
	for _, pkg := range pkgs {
		for _, f := range pkg.Syntax {
			for _, d := range f.Decls {
				if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
					ast.Inspect(gd, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							if fn, ok := pkg.TypesInfo.Uses[id].(*types.Func); ok {
								out[fn.Origin()] = true
							}
						}
						return true
					})
				}
			}
		}
	}
	return out
}

// collectAll collects the facts of every package's declarations, a
// package per worker, one worker per CPU.
func collectAll(pkgs []*packages.Package) [][]*declFacts {
	out := make([][]*declFacts, len(pkgs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := make(map[*types.Func]bool)
			for i := range next {
				out[i] = packageFacts(pkgs[i], seen)
			}
		}()
	}
	for i := range pkgs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func packageFacts(pkg *packages.Package, seen map[*types.Func]bool) []*declFacts {
	var out []*declFacts
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				clear(seen)
				out = append(out, collectFacts(fd, pkg.TypesInfo, seen))
			}
		}
	}
	return out
}

// mergeFacts adds df to facts; a declaration seen in several package
// variants keeps the union of what each variant's types say.
func mergeFacts(facts map[*ast.FuncDecl]*declFacts, df *declFacts) {
	old := facts[df.decl]
	if old == nil {
		facts[df.decl] = df
		return
	}
	old.seed = old.seed || df.seed
	old.refs = append(old.refs, df.refs...)
	old.methods = append(old.methods, df.methods...)
	old.dynSigs = append(old.dynSigs, df.dynSigs...)
}

// collectFacts walks one declaration's body; seen holds the functions it
// has recorded, so each is recorded once.
func collectFacts(fd *ast.FuncDecl, info *types.Info, seen map[*types.Func]bool) *declFacts {
	df := &declFacts{decl: fd}
	df.fn, _ = info.Defs[fd.Name].(*types.Func)
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if fn, ok := info.Uses[n].(*types.Func); ok && !seen[fn.Origin()] {
				seen[fn.Origin()] = true
				df.refs = append(df.refs, fn.Origin())
			}
			df.seed = df.seed || n.Name == "AddRateLimited" || n.Name == "AddWithOpts"
		case *ast.SelectorExpr:
			df.noteSelector(n, info)
		case *ast.CallExpr:
			df.noteDynamicCall(n, info)
		case *ast.CompositeLit:
			df.seed = df.seed || isHandlerStruct(info.TypeOf(n))
		case *ast.FuncLit:
			if sig, ok := info.TypeOf(n).(*types.Signature); ok {
				df.litSigs = append(df.litSigs, sig)
			}
		}
		return true
	})
	return df
}

// noteSelector records interface method calls and handler field use.
func (df *declFacts) noteSelector(sel *ast.SelectorExpr, info *types.Info) {
	s := info.Selections[sel]
	if s == nil {
		return
	}
	if s.Kind() == types.FieldVal && isHandlerStruct(s.Recv()) {
		df.seed = true
	}
	if _, iface := s.Recv().Underlying().(*types.Interface); iface && s.Kind() == types.MethodVal {
		df.methods = append(df.methods, sel.Sel.Name)
	}
}

// noteDynamicCall records the signature of a call through a func value.
func (df *declFacts) noteDynamicCall(call *ast.CallExpr, info *types.Info) {
	if match.CalleeFunc(info, call) != nil || match.IsConversion(info, call) {
		return
	}
	if _, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr); isSel {
		if s := info.Selections[ast.Unparen(call.Fun).(*ast.SelectorExpr)]; s != nil && s.Kind() == types.MethodVal {
			return // a method call, static or through an interface
		}
	}
	if sig, ok := info.TypeOf(call.Fun).Underlying().(*types.Signature); ok {
		df.dynSigs = append(df.dynSigs, sig)
	}
}

// isHandlerStruct reports whether t is one of the handler func structs.
func isHandlerStruct(t types.Type) bool {
	n := match.NamedOf(t)
	if n == nil || n.Obj().Pkg() == nil {
		return false
	}
	for key := range match.HandlerFields {
		if match.IsPkg(n.Obj().Pkg(), key[0]) && n.Obj().Name() == key[1] {
			return true
		}
	}
	return false
}

// closeRelevant runs the backward closure from the seeds.
func closeRelevant(facts map[*ast.FuncDecl]*declFacts) map[*ast.FuncDecl]bool {
	refBy := make(map[*types.Func][]*declFacts)
	byMethod := make(map[string][]*declFacts)
	var bySig typeutil.Map // *types.Signature -> []*declFacts
	var work []*declFacts
	for _, df := range facts {
		for _, fn := range df.refs {
			refBy[fn] = append(refBy[fn], df)
		}
		for _, m := range df.methods {
			byMethod[m] = append(byMethod[m], df)
		}
		for _, sig := range df.dynSigs {
			list, _ := bySig.At(sig).([]*declFacts)
			bySig.Set(sig, append(list, df))
		}
		if df.seed {
			df.relevant = true
			work = append(work, df)
		}
	}
	add := func(list []*declFacts) {
		for _, df := range list {
			if !df.relevant {
				df.relevant = true
				work = append(work, df)
			}
		}
	}
	for len(work) > 0 {
		df := work[len(work)-1]
		work = work[:len(work)-1]
		if df.fn != nil {
			add(refBy[df.fn])
			add(byMethod[df.fn.Name()])
			list, _ := bySig.At(plainSig(df.fn.Signature())).([]*declFacts)
			add(list)
		}
		for _, sig := range df.litSigs {
			list, _ := bySig.At(plainSig(sig)).([]*declFacts)
			add(list)
		}
	}
	out := make(map[*ast.FuncDecl]bool)
	for fd, df := range facts {
		if df.relevant {
			out[fd] = true
		}
	}
	return out
}

// plainSig drops a method's receiver, giving the signature of its method
// value: what a dynamic call through a func value would have.
func plainSig(sig *types.Signature) *types.Signature {
	if sig.Recv() == nil {
		return sig
	}
	return types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
}

// elideBodies returns copies of files in which the declarations not in
// keep have no bodies, and the functions (not methods) that no kept body
// or initializer names are left out: SSA would only create members for
// them, and most of a module's functions are such (a member costs about
// half a kilobyte, for 50 MB on 1,000 packages). Methods stay, for the
// method sets; so do init functions, which the package initializer calls.
func elideBodies(files []*ast.File, info *types.Info, rel relevance) []*ast.File {
	out := make([]*ast.File, len(files))
	for i, f := range files {
		out[i] = withoutBodiesExcept(f, info, rel.keep, rel.named)
	}
	return out
}

// withoutBodiesExcept returns a copy of f whose functions, but those in
// keep, have no bodies, without the functions nothing built names. f
// itself is shared and never modified.
func withoutBodiesExcept(f *ast.File, info *types.Info, keep map[*ast.FuncDecl]bool, named map[*types.Func]bool) *ast.File {
	c := *f
	c.Decls = make([]ast.Decl, 0, len(f.Decls))
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !keep[fd] {
			if unnamed(fd, info, named) {
				continue
			}
			bodiless := *fd
			bodiless.Body = nil
			d = &bodiless
		}
		c.Decls = append(c.Decls, d)
	}
	return &c
}

// unnamed reports whether fd declares a function (not a method, not an
// init function) that is not in named.
func unnamed(fd *ast.FuncDecl, info *types.Info, named map[*types.Func]bool) bool {
	if fd.Recv != nil || fd.Name.Name == "init" {
		return false
	}
	fn, ok := info.Defs[fd.Name].(*types.Func)
	return ok && !named[fn]
}
