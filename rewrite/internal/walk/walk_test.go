package walk

import (
	"go/ast"
	"go/types"
	"testing"

	"github.com/queuefix/queuefix/rewrite/internal/memcheck"
)

// The pieces of the worker walk, each tested alone on code type-checked
// in memory (memScan): conditions (cond.go), summaries of what code does
// with the item (effects.go), the targets of func values (funcvalues.go)
// and the paths of whole workers (paths.go).

// memScan type-checks src as package ctrl and scans it.
func memScan(t *testing.T, src string) *Scan {
	t.Helper()
	p := memcheck.Package(t, src)
	fi := &File{Pkg: p, Syntax: p.Syntax[0], Name: p.GoFiles[0], Source: func() []byte { return []byte(src) }}
	return NewScan(p.Fset, []*File{fi})
}

// infoOf returns the type information of the scan's one file.
func infoOf(s *Scan) *types.Info { return s.files[s.names[0]].Pkg.TypesInfo }

// funcDecl returns the declaration of the function or method name.
func funcDecl(t *testing.T, s *Scan, name string) *ast.FuncDecl {
	t.Helper()
	for _, fi := range s.files {
		for _, d := range fi.Syntax.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name {
				return fd
			}
		}
	}
	t.Fatalf("no func %s", name)
	return nil
}

// ifConds returns the conditions of the if statements of fd, in order.
func ifConds(fd *ast.FuncDecl) []ast.Expr {
	var out []ast.Expr
	for _, s := range fd.Body.List {
		if is, ok := s.(*ast.IfStmt); ok {
			out = append(out, is.Cond)
		}
	}
	return out
}

// param returns the object of fd's parameter name.
func param(t *testing.T, s *Scan, fd *ast.FuncDecl, name string) types.Object {
	t.Helper()
	info := infoOf(s)
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return info.Defs[n]
			}
		}
	}
	t.Fatalf("%s has no parameter %s", fd.Name.Name, name)
	return nil
}

const condSrc = `package ctrl

import "errors"

var errGone = errors.New("gone")

func f(err error, ok bool, n int) {
	if err == nil {}
	if err != nil {}
	if nil != err {}
	if !ok {}
	if err != nil && n > 0 {}
	if n > 0 || err == nil {}
	if n > 0 {}
	if errors.Is(err, errGone) {}
	if ok && err == nil {}
}
`

// TestEvalCond decides conditions on a path where err is nil and ok is
// false; what depends on anything else stays unknown.
func TestEvalCond(t *testing.T) {
	ix := memScan(t, condSrc)
	fd := funcDecl(t, ix, "f")
	info := infoOf(ix)
	p := &Path{
		errs:  map[types.Object]errVal{param(t, ix, fd, "err"): errNil},
		bools: map[types.Object]bool{param(t, ix, fd, "ok"): false},
	}
	want := []struct{ val, known bool }{
		{true, true},   // err == nil
		{false, true},  // err != nil
		{false, true},  // nil != err
		{true, true},   // !ok
		{false, true},  // err != nil && n > 0
		{true, true},   // n > 0 || err == nil
		{false, false}, // n > 0
		{false, true},  // errors.Is(err, errGone): no error is no particular error
		{false, true},  // ok && err == nil
	}
	conds := ifConds(fd)
	for i, c := range conds {
		val, known := evalCond(info, c, p)
		if val != want[i].val || known != want[i].known {
			t.Errorf("evalCond(%s) = %v, %v; want %v, %v", ix.text(c), val, known, want[i].val, want[i].known)
		}
	}
}

// TestLearn records what taking a branch tells of err and ok.
func TestLearn(t *testing.T) {
	ix := memScan(t, condSrc)
	fd := funcDecl(t, ix, "f")
	info := infoOf(ix)
	errV, okV := param(t, ix, fd, "err"), param(t, ix, fd, "ok")
	conds := ifConds(fd)
	for _, tc := range []struct {
		cond      int
		taken     bool
		err       errVal
		ok, known bool
	}{
		{1, true, errNonNil, false, false},   // err != nil taken
		{1, false, errNil, false, false},     // err != nil not taken
		{3, true, errUnknown, false, true},   // !ok taken: ok is false
		{4, true, errNonNil, false, false},   // err != nil && n > 0 taken
		{4, false, errUnknown, false, false}, // not taken: either side may be false
		{5, false, errNonNil, false, false},  // n > 0 || err == nil not taken
		{6, true, errUnknown, false, false},  // n > 0 tells nothing
		{7, true, errNonNil, false, false},   // errors.Is(err, ...) taken: err is not nil
		{8, true, errNil, true, true},        // ok && err == nil taken
	} {
		p := &Path{errs: map[types.Object]errVal{}, bools: map[types.Object]bool{}}
		learn(info, conds[tc.cond], tc.taken, p)
		ok, known := p.bools[okV]
		if p.errs[errV] != tc.err || ok != tc.ok || known != tc.known {
			t.Errorf("learn(%s, %v): err %v, ok %v (known %v); want %v, %v (known %v)",
				ix.text(conds[tc.cond]), tc.taken, p.errs[errV], ok, known, tc.err, tc.ok, tc.known)
		}
	}
}

const effectsSrc = `package ctrl

import (
	"fmt"

	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
	ch    chan interface{}
	last  interface{}
	seen  map[interface{}]bool
	kept  map[interface{}]bool
	park  []interface{}
}

func (c *C) forgets(key interface{})   { c.queue.Forget(key) }
func (c *C) requeues(key interface{})  { c.queue.AddRateLimited(key) }
func (c *C) viaHelper(key interface{}) { c.forgets(key) }
func (c *C) logs(key interface{})      { fmt.Println("done", key) }
func (c *C) sends(key interface{})     { c.ch <- key }
func (c *C) stores(key interface{})    { c.last = key }
func (c *C) keys(key interface{})      { c.seen[key] = true }
func (c *C) goes(key interface{})      { go fmt.Println(key) }
func (c *C) captures(key interface{})  { f := func() { fmt.Println(key) }; c.last = f }
func (c *C) local(key interface{})     { k := key; fmt.Println(k) }
func (c *C) keeps(key interface{})     { c.kept[key] = true }
func (c *C) parks(key interface{})     { c.park = append(c.park, key) }
func (c *C) lookup(key interface{}) bool {
	_, ok := c.kept[key]
	return ok && len(c.kept) > 0
}
func (c *C) retrySeen() {
	for k := range c.seen {
		c.requeues(k)
	}
}
func (c *C) retryLast() { c.queue.Add(c.last) }
func (c *C) drain() {
	for _, k := range c.park {
		go c.queue.Add(k)
	}
	c.park = c.park[:0]
}
`

// TestEffects sums up what each body does with its parameter key: a
// requeue or a Forget, directly or through a helper, or an escape with
// its reason; formatting it is neither.
func TestEffects(t *testing.T) {
	ix := memScan(t, effectsSrc)
	info := infoOf(ix)
	sc := newScanner(ix)
	for _, tc := range []struct {
		fn                string
		requeues, forgets bool
		escape            string
	}{
		{"forgets", false, true, ""},
		{"requeues", true, false, ""},
		{"viaHelper", false, true, ""},
		{"logs", false, false, ""},
		{"sends", false, false, "it is sent on a channel"},
		{"stores", false, false, "it is stored in c.last"},
		{"keys", false, false, "it is stored as a key of c.seen"},
		{"keeps", false, false, ""},
		{"parks", false, false, "it is appended to a slice"},
		{"goes", false, false, "it is handed to a goroutine"},
		{"captures", false, false, "it is captured by a func literal"},
		{"local", false, false, ""},
	} {
		fd := funcDecl(t, ix, tc.fn)
		v := &view{sc: sc, info: info, items: map[types.Object]bool{param(t, ix, fd, "key"): true}, derived: map[types.Object]bool{}}
		eff := v.uses(fd.Body)
		if eff.requeues != tc.requeues || eff.forgets != tc.forgets || eff.escape != tc.escape {
			t.Errorf("%s: requeues %v, forgets %v, escape %q; want %v, %v, %q",
				tc.fn, eff.requeues, eff.forgets, eff.escape, tc.requeues, tc.forgets, tc.escape)
		}
	}
}

const funcValuesSrc = `package ctrl

type C struct {
	fn  func(interface{}) error
	set func(interface{}) error
	Pub func(interface{}) error
}

func handle(x interface{}) error { return nil }

func New() *C {
	c := &C{fn: func(x interface{}) error { return nil }}
	c.fn = handle
	return c
}

func Set(c *C, f func(interface{}) error) { c.set = f }

func (c *C) run(key interface{}) {
	_ = c.fn(key)
	_ = c.set(key)
	_ = c.Pub(key)
}
`

// TestFuncTargets resolves calls through func values: an unexported field
// holds what the analysed code stores in it; a field stored from a
// parameter of a function only code that is not analysed calls, or an
// exported field, may hold anything.
func TestFuncTargets(t *testing.T) {
	ix := memScan(t, funcValuesSrc)
	info := infoOf(ix)
	sc := newScanner(ix)
	var calls []*ast.CallExpr
	for _, s := range funcDecl(t, ix, "run").Body.List {
		calls = append(calls, s.(*ast.AssignStmt).Rhs[0].(*ast.CallExpr))
	}
	targets, ok := sc.funcTargets(info, calls[0].Fun)
	var names []string
	for _, tg := range targets {
		switch {
		case tg.fn != nil:
			names = append(names, tg.fn.Name())
		case tg.lit != nil:
			names = append(names, "literal at "+ix.line(tg.lit.Pos()))
		}
	}
	if !ok || len(names) != 2 || names[0] != "literal at line 12" || names[1] != "handle" {
		t.Errorf("c.fn: targets %v, %v; want [literal at line 12 handle], true", names, ok)
	}
	for _, c := range calls[1:] {
		if targets, ok := sc.funcTargets(info, c.Fun); ok {
			t.Errorf("%s: targets %v, true; want unresolved", ix.text(c.Fun), targets)
		}
	}
}
