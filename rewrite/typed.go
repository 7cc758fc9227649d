package rewrite

// The typed rule moves a package from client-go's deprecated untyped work
// queue to the typed one (client-go v0.31 and newer):
//
//	queue workqueue.RateLimitingInterface
//	q := workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "pods")
//	key, ok := obj.(string)
//	if !ok { q.Forget(obj); return nil }
//
// =>
//
//	queue workqueue.TypedRateLimitingInterface[string]
//	q := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](), workqueue.TypedRateLimitingQueueConfig[string]{Name: "pods"})
//	key := obj
//
// A package is one unit: every deprecated name in it moves to the same
// item type T (typeditem.go chooses it), or none does. T is any when the
// items are mixed or untyped, when an exported declaration names a
// deprecated type (any stays assignable for importers), or when the
// package does not type-check with the concrete T. The rule declines,
// with a review finding that says why, when:
//   - the module's client-go predates the typed queue;
//   - a deprecated type sits in a composite type of the exported API or
//     is embedded in an exported struct (importers cannot use it as is);
//   - the package asserts a value to a deprecated interface at run time (a
//     typed queue would silently fail the assertion);
//   - an item assertion has a shape it cannot drop, or two edits overlap;
//   - the package, or a loaded importer, does not type-check as a whole
//     after the edits, even with T = any.
//
// Generated files (mockgen, counterfeiter) are never edited: their uses
// are reported with the command that regenerates them.
//
// The rewrite is sound because each Typed* twin is what the deprecated
// name wraps (rewrite/internal/typedapi proves it against client-go), and
// the whole package is type-checked again with the new bytes: a T that
// some use of an item does not accept fails that check.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"github.com/queuefix/queuefix/rewrite/internal/typedapi"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/packages"
)

// typedUse is one deprecated name in a file.
type typedUse struct {
	fi    *fileInfo
	id    *ast.Ident
	entry *typedapi.Entry
	node  ast.Expr // the expression the edit replaces: a type or a call
}

// typedPkg is one package's uses and the choice of T.
type typedPkg struct {
	pkg      *packages.Package
	uses     []typedUse
	gen      []typedUse // in generated files: reported, never edited
	item     itemFlow
	version  string
	exported string // an exported declaration that names a deprecated type
}

// typed returns the typed rule's findings: the edits of every package
// that can move to the typed queue, and why the others cannot; and the
// directives that kept a package untyped.
func (a *index) typed() ([]Finding, []*ignore) {
	var out []Finding
	var used []*ignore
	for _, tp := range a.typedPkgs() {
		if fs, igs := a.typedIgnored(tp); len(igs) > 0 {
			out = append(append(out, a.generatedUses(tp)...), fs...)
			used = append(used, igs...)
			continue
		}
		out = append(out, a.typedPackage(tp)...)
	}
	return out, used
}

// typedPkgs groups the deprecated uses of the analysed files by package
// (one entry per package, whichever variant holds a file).
func (a *index) typedPkgs() []*typedPkg {
	byPkg := make(map[string]*typedPkg)
	var order []string
	for _, name := range a.sortedFiles() {
		fi := a.files[name]
		if fi.vendored {
			continue
		}
		uses := typedUses(fi)
		if len(uses) == 0 {
			continue
		}
		key := fi.pkg.PkgPath
		tp := byPkg[key]
		if tp == nil {
			tp = &typedPkg{pkg: a.widestVariant(fi.pkg.PkgPath)}
			byPkg[key] = tp
			order = append(order, key)
		}
		if fi.generated {
			tp.gen = append(tp.gen, uses...)
			continue
		}
		tp.uses = append(tp.uses, uses...)
	}
	out := make([]*typedPkg, len(order))
	for i, k := range order {
		out[i] = byPkg[k]
	}
	return out
}

// widestVariant returns the variant of the package at path with the most
// files (the test variant, when tests are loaded).
func (a *index) widestVariant(path string) *packages.Package {
	var best *packages.Package
	for _, p := range a.pkgs {
		if p.PkgPath == path && (best == nil || len(p.Syntax) > len(best.Syntax)) {
			best = p
		}
	}
	return best
}

// typedUses returns the deprecated work-queue names fi uses, matched by
// type identity.
func typedUses(fi *fileInfo) []typedUse {
	info := fi.pkg.TypesInfo
	var uses []typedUse
	in := inspector.New([]*ast.File{fi.syntax})
	in.WithStack([]ast.Node{(*ast.Ident)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		id := n.(*ast.Ident)
		if e, ok := typedapi.Lookup(info.Uses[id]); ok && push {
			uses = append(uses, typedUse{fi: fi, id: id, entry: e, node: useNode(stack)})
		}
		return true
	})
	return uses
}

// useNode returns the expression naming the deprecated object at the top
// of stack (pkg.Name or Name), or for a function the call of it.
func useNode(stack []ast.Node) ast.Expr {
	i := len(stack) - 1
	node := stack[i].(ast.Expr)
	if sel, ok := stack[i-1].(*ast.SelectorExpr); ok && sel.Sel == node {
		node, i = sel, i-1
	}
	if call, ok := stack[i-1].(*ast.CallExpr); ok && call.Fun == node {
		return call
	}
	if ix, ok := stack[i-1].(*ast.IndexExpr); ok && ix.X == node {
		if call, ok := stack[i-2].(*ast.CallExpr); ok && call.Fun == ix {
			return call // TypedNewDelayingQueue[T]()
		}
	}
	return node
}

// typedPackage plans one package's migration, or says why there is none.
func (a *index) typedPackage(tp *typedPkg) []Finding {
	out := a.generatedUses(tp)
	if len(tp.uses) == 0 {
		return out
	}
	first := tp.uses[0]
	version, err := clientGoVersion(tp.pkg)
	if err == nil {
		err = typedapi.Supported(version)
	}
	if err != nil {
		return append(out, a.typedReview(first, err.Error()))
	}
	tp.version = version
	if why := a.typedBlocker(tp); why != nil {
		return append(out, a.typedReview(why.use, why.reason))
	}
	tp.item = a.itemFlow(tp)
	if tp.item.blocker != nil {
		return append(out, a.typedReview(tp.item.blocker.use, tp.item.blocker.reason))
	}
	fs := a.typedEdits(tp)
	if t := tp.item.t; t != nil {
		if c := a.typedCheck(fs); c != nil {
			// Some use of the items does not take T (a value flows into a
			// field, a map or a function the rule does not retype): any
			// still fits every use the untyped queue had.
			tp.item = itemFlow{reason: fmt.Sprintf("with T = %s the package does not type-check", t), cause: c}
			fs = a.typedEdits(tp)
		}
	}
	return append(out, fs...)
}

// typedCheck type-checks the packages the findings' edits change, and
// their importers, with the edits applied; apply checks again with every
// rule's edits.
func (a *index) typedCheck(fs []Finding) *Cause {
	files, _ := a.splice(fs)
	parsed := a.parseNew(files)
	changed := make(map[string]bool, len(files))
	for name := range files {
		changed[name] = true
	}
	broken := make(map[string]*Cause)
	a.checkPackages(changed, parsed, broken)
	for _, name := range sortedKeys(changed) {
		if c := broken[name]; c != nil {
			return c
		}
	}
	return nil
}

// generatedUses reports the deprecated names in generated files.
func (a *index) generatedUses(tp *typedPkg) []Finding {
	seen := make(map[*fileInfo]bool)
	var out []Finding
	for _, u := range tp.gen {
		if seen[u.fi] {
			continue
		}
		seen[u.fi] = true
		out = append(out, a.typedReview(u, fmt.Sprintf(
			"%s in a generated file: regenerate it (%s) once its source uses the typed queue; not edited",
			u.entry.Name, regenerateHint(u.fi))))
	}
	return out
}

// regenerateHint names the generator of fi, from its header.
func regenerateHint(fi *fileInfo) string {
	src := string(fi.source())
	switch {
	case strings.Contains(src, "by MockGen"):
		return "go generate, or mockgen with the same flags"
	case strings.Contains(src, "by counterfeiter"):
		return "go generate, or counterfeiter"
	}
	return "go generate"
}

// typedReview is a review finding at a use.
func (a *index) typedReview(u typedUse, reason string) Finding {
	return Finding{Pos: a.fset.Position(u.id.Pos()), Rule: RuleTyped, Status: Review,
		Message: "workqueue." + u.entry.Name + ": " + reason + "; left alone"}
}

// blocker is why a package is not migrated, at the use that shows it.
type blocker struct {
	use    typedUse
	reason string
}

// typedBlocker returns why the package cannot move at all: a deprecated
// type inside a composite type of the exported API (a func, slice, map or
// chan type is not assignable to its [any] twin's) or embedded in an
// exported struct (importers name the field), or a run-time assertion to
// a deprecated interface. An exported API that names a deprecated type
// directly moves to T = any (tp.exported), which importers can still
// assign to and from.
func (a *index) typedBlocker(tp *typedPkg) *blocker {
	for _, u := range tp.uses {
		if name, plain := exportedOwner(u); name != "" {
			if !plain {
				return &blocker{u, "part of the exported API (" + name + ") inside a func, slice, map or chan type or as an embedded field, which importers cannot use unchanged; migrate them together by hand"}
			}
			if tp.exported == "" {
				tp.exported = name
			}
		}
		if isAssertedType(u) {
			return &blocker{u, "asserted at run time: a typed queue would fail this assertion silently; change the assertion by hand"}
		}
	}
	return nil
}

// exportedOwner returns the exported declaration whose type mentions the
// use (a field of an exported struct, an exported function's signature,
// an exported variable or type), or "", and whether the use is plain: the
// whole type of a parameter, result, field or variable, not inside a
// composite type nor an embedded field.
func exportedOwner(u typedUse) (string, bool) {
	path, _ := pathTo(u.fi.syntax, u.node.Pos(), u.node.End())
	var field *ast.Field
	plain := true
	for i, n := range path {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.BlockStmt:
			return "", true // a local declaration or a body
		case *ast.ArrayType, *ast.MapType, *ast.ChanType:
			plain = false
		case *ast.FuncType:
			if i+1 < len(path) {
				if _, ok := path[i+1].(*ast.FuncDecl); !ok {
					plain = false
				}
			}
		case *ast.Field:
			if field == nil {
				field = n
				// Embedded in an interface, the [any] twin gives the same
				// method set; in a struct, importers name the field.
				plain = plain && (len(n.Names) > 0 || inInterface(path[i+1:]))
			}
		case *ast.FuncDecl:
			if n.Name.IsExported() && (n.Recv == nil || recvExported(n.Recv)) {
				return n.Name.Name, plain
			}
			return "", true
		case *ast.TypeSpec:
			if !n.Name.IsExported() || field != nil && !fieldExported(field) {
				return "", true
			}
			return n.Name.Name, plain
		case *ast.ValueSpec:
			for _, name := range n.Names {
				if name.IsExported() {
					return name.Name, plain
				}
			}
			return "", true
		}
	}
	return "", true
}

func inInterface(path []ast.Node) bool {
	if len(path) < 2 {
		return false
	}
	_, ok := path[1].(*ast.InterfaceType)
	return ok
}

func recvExported(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// fieldExported reports whether a struct field is exported: by name, or,
// embedded, by its type's name (RateLimitingInterface is).
func fieldExported(f *ast.Field) bool {
	if len(f.Names) == 0 {
		return true
	}
	for _, n := range f.Names {
		if n.IsExported() {
			return true
		}
	}
	return false
}

// isAssertedType reports whether the use is the type of a type assertion
// or a type switch case.
func isAssertedType(u typedUse) bool {
	path, _ := pathTo(u.fi.syntax, u.node.Pos(), u.node.End())
	if len(path) < 2 {
		return false
	}
	switch p := path[1].(type) {
	case *ast.TypeAssertExpr:
		return p.Type == u.node
	case *ast.CaseClause:
		for _, e := range p.List {
			if e == u.node {
				return len(path) > 3 && isTypeSwitch(path[3])
			}
		}
	}
	return false
}

func isTypeSwitch(n ast.Node) bool {
	_, ok := n.(*ast.TypeSwitchStmt)
	return ok
}

// pathTo returns the nodes enclosing [pos, end), innermost first.
func pathTo(f *ast.File, pos, end token.Pos) ([]ast.Node, bool) {
	var path []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || n.Pos() > pos || n.End() < end {
			return false
		}
		path = append(path, n)
		return true
	})
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, len(path) > 0
}

// typedEdits returns a change finding per use and per item edit, all
// checked together with the whole package (apply.go). A use inside the
// arguments of another (DefaultControllerRateLimiter() in
// NewNamedRateLimitingQueue(...)) shares the outer use's edit.
func (a *index) typedEdits(tp *typedPkg) []Finding {
	t := tp.item
	uses := append([]typedUse(nil), tp.uses...)
	// Inner calls first: an outer call whose arguments move takes their
	// new text with it.
	sort.SliceStable(uses, func(i, j int) bool { return uses[i].node.Pos() > uses[j].node.Pos() })
	var spans []typedSpan
	out := make([]Finding, len(uses))
	for i, u := range uses {
		text, fix, err := a.renderUse(u, t.text(u.fi), tp.version, spans)
		if err != nil {
			return []Finding{a.typedReview(u, err.Error())}
		}
		spans = absorb(spans, typedSpan{u.fi, u.node.Pos(), u.node.End(), text})
		out[i] = Finding{Pos: a.fset.Position(u.id.Pos()), Rule: RuleTyped, Status: Change,
			Message: "workqueue." + u.entry.Name + " is deprecated: " + fix + t.why(), Fix: fix, Cause: t.cause}
	}
	for i, u := range uses {
		for _, s := range spans {
			if s.fi == u.fi && s.pos <= u.node.Pos() && u.node.End() <= s.end {
				out[i].Edits = []Edit{a.replace(s.fi, s.pos, s.end, s.text)}
			}
		}
	}
	out = append(out, a.embeddedRenames(tp)...)
	for _, ie := range t.edits {
		out = append(out, Finding{Pos: a.fset.Position(ie.pos), Rule: RuleTyped, Status: Change,
			Message: ie.message, Fix: ie.fix, Edits: []Edit{ie.edit}})
	}
	if pos, ok := overlap(out); ok {
		return []Finding{a.typedReview(tp.uses[0], "two of its edits overlap at "+pos+" (a deprecated name inside a dead `if !ok` branch?): migrate it by hand")}
	}
	return out
}

// overlap reports where two different edits of the findings overlap.
func overlap(fs []Finding) (string, bool) {
	var edits []Edit
	for _, f := range fs {
		edits = append(edits, f.Edits...)
	}
	sort.Slice(edits, func(i, j int) bool {
		if edits[i].File != edits[j].File {
			return edits[i].File < edits[j].File
		}
		return edits[i].Offset < edits[j].Offset
	})
	for i := 1; i < len(edits); i++ {
		prev, e := edits[i-1], edits[i]
		if e != prev && e.File == prev.File && e.Offset < prev.End {
			return fmt.Sprintf("%s offset %d", filepath.Base(e.File), e.Offset), true
		}
	}
	return "", false
}

// typedSpan is the new text of a node.
type typedSpan struct {
	fi       *fileInfo
	pos, end token.Pos
	text     string
}

// absorb adds s to spans, dropping the spans s encloses (their text is in
// s's already).
func absorb(spans []typedSpan, s typedSpan) []typedSpan {
	out := spans[:0]
	for _, o := range spans {
		if o.fi == s.fi && s.pos <= o.pos && o.end <= s.end {
			continue
		}
		out = append(out, o)
	}
	return append(out, s)
}

// textWith returns the source of [pos, end) with the new text of the
// spans inside it.
func textWith(fi *fileInfo, pos, end token.Pos, spans []typedSpan) string {
	tf := fi.pkg.Fset.File(pos)
	src := fi.source()
	var inner []typedSpan
	for _, s := range spans {
		if s.fi == fi && pos <= s.pos && s.end <= end {
			inner = append(inner, s)
		}
	}
	sort.Slice(inner, func(i, j int) bool { return inner[i].pos < inner[j].pos })
	var b strings.Builder
	last := tf.Offset(pos)
	for _, s := range inner {
		b.Write(src[last:tf.Offset(s.pos)])
		b.WriteString(s.text)
		last = tf.Offset(s.end)
	}
	b.Write(src[last:tf.Offset(end)])
	return b.String()
}

// renderUse returns the new text of a use for item type text t, and the
// fix in one line.
func (a *index) renderUse(u typedUse, t, version string, spans []typedSpan) (string, string, error) {
	form, ok := u.entry.For(version)
	if !ok {
		return "", "", fmt.Errorf("client-go %s has no replacement for it", version)
	}
	pkg := qualifierText(u)
	call, isCall := u.node.(*ast.CallExpr)
	if !isCall {
		if u.entry.Kind == typedapi.Func {
			return "", "", fmt.Errorf("used as a function value, not called: rewrite it by hand")
		}
		text := form.Type(pkg, t)
		return text, u.entry.Name + " → " + strings.TrimPrefix(text, pkg+"."), nil
	}
	if _, ok := call.Fun.(*ast.IndexExpr); ok {
		// TypedNewDelayingQueue[T](): keep the written T.
		ix := call.Fun.(*ast.IndexExpr)
		text := qualify(pkg, form.Twin) + "[" + textWith(u.fi, ix.Index.Pos(), ix.Index.End(), spans) + "]()"
		return text, u.entry.Name + " → " + form.Twin, nil
	}
	if call.Ellipsis.IsValid() && form.Args != nil {
		// A spread cannot fill a config's fields.
		return "", "", fmt.Errorf("its arguments are spread (...): rewrite it by hand")
	}
	args := make([]string, len(call.Args))
	for i, arg := range call.Args {
		args[i] = textWith(u.fi, arg.Pos(), arg.End(), spans)
	}
	return callInPlace(u.fi, call, form.Func(pkg, t), form.CallArgs(pkg, t, args), spans), callFix(u.entry.Name, form, t), nil
}

// callInPlace returns the call's new text with the function and each
// argument replaced where it stood, so line breaks and commas stay; a
// call whose arity changes gets its arguments written on one line.
func callInPlace(fi *fileInfo, call *ast.CallExpr, fun string, args []string, spans []typedSpan) string {
	if len(args) != len(call.Args) {
		return fun + "(" + strings.Join(args, ", ") + ")"
	}
	var b strings.Builder
	b.WriteString(fun)
	last := call.Fun.End()
	for i, arg := range call.Args {
		b.WriteString(textWith(fi, last, arg.Pos(), spans))
		b.WriteString(args[i])
		last = arg.End()
	}
	b.WriteString(textWith(fi, last, call.End(), spans))
	return b.String()
}

// callFix says in one line what a call's rewrite does.
func callFix(old string, form typedapi.Form, t string) string {
	fix := old + " → " + form.Twin
	if form.ExplicitT {
		fix += "[" + t + "]"
	}
	for _, arg := range form.Args {
		if arg.Config == "" {
			continue
		}
		fix += " with " + arg.Config + "[" + t + "]"
		for _, f := range arg.Fields {
			if f.Name == "Name" {
				fix += " (the name kept: the metrics use it)"
			}
		}
	}
	return fix
}

// qualifierText returns how the use's file names the work-queue package
// ("" when it is dot-imported).
func qualifierText(u typedUse) string {
	var fun ast.Expr = u.node
	if call, ok := fun.(*ast.CallExpr); ok {
		fun = call.Fun
		if ix, ok := fun.(*ast.IndexExpr); ok {
			fun = ix.X
		}
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

func qualify(pkg, name string) string {
	if pkg == "" {
		return name
	}
	return pkg + "." + name
}

// embeddedRenames renames the selectors and keyed literals that name a
// field embedding a deprecated type: the twin's field is named after it
// (RateLimitingInterface becomes TypedRateLimitingInterface).
func (a *index) embeddedRenames(tp *typedPkg) []Finding {
	var out []Finding
	for _, u := range tp.uses {
		field, ok := u.fi.pkg.TypesInfo.Defs[u.id].(*types.Var)
		if !ok || !field.Embedded() {
			continue
		}
		twin := u.entry.Forms[0].Twin
		for _, fi := range a.pkgFiles(tp.pkg) {
			for id, obj := range fi.pkg.TypesInfo.Uses {
				if obj != field {
					continue
				}
				if id.Pos() < fi.syntax.FileStart || id.Pos() >= fi.syntax.FileEnd {
					continue // Uses holds the whole package: another file's turn
				}
				out = append(out, Finding{Pos: a.fset.Position(id.Pos()), Rule: RuleTyped, Status: Change,
					Message: "the embedded field " + field.Name() + " is named " + twin + " now",
					Fix:     field.Name() + " → " + twin,
					Edits:   []Edit{a.replace(fi, id.Pos(), id.End(), twin)}})
			}
		}
	}
	return out
}
