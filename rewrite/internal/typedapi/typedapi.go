// Package typedapi maps every deprecated name of client-go's untyped work
// queue (k8s.io/client-go/util/workqueue) to its generic Typed* twin, as
// data, for the typed rule (issue 18).
//
// client-go v0.31.0 deprecated the untyped queue, limiters and configs in
// favour of twins that take a type parameter T, the type of the queue's
// items. The typed rule will use this table to rewrite each use of a
// deprecated name it finds by type identity (Lookup):
//
//	q := workqueue.NewNamedRateLimitingQueue(rl, "nodes")
//
// becomes, with the name kept because the queue's metrics are registered
// under it,
//
//	q := workqueue.NewTypedRateLimitingQueueWithConfig(rl,
//		workqueue.TypedRateLimitingQueueConfig[T]{Name: "nodes"})
//
// The rule chooses T from the data flow (the type every Add receives and
// every Get result is asserted to); where the flow does not fix one type it
// falls back to T = any, which every old value is assignable to and from
// (an interface value converts both ways). The table does not choose T: it
// says where T must be written (Form.ExplicitT), how arguments move
// (Form.Args), and from which client-go version a form exists
// (Form.Since, Supported).
//
// A struct that embeds a deprecated type gets a field named after the twin
// (RateLimiter becomes TypedRateLimiter), so the rule must also rename the
// selectors and keyed literals that name the embedded field.
//
// The tests type-check the real workqueue package at the client-go
// versions named in testdata and prove each row: the old name exists and
// is deprecated, the twin exists from Since on and not before and is not
// deprecated itself, the twin at any has the old name's type or signature,
// the rewritten call type-checks for T = string and T = any, and it ends,
// through client-go's one-line wrappers, in the same call with the same
// arguments as the old one. They also prove the table complete: every
// deprecated name of those versions is in it.
package typedapi

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/mod/semver"
)

// Path is the import path of client-go's work-queue package.
const Path = "k8s.io/client-go/util/workqueue"

// Kind says what sort of declaration a deprecated name is, which decides
// how far the [any] twin can stand in for it.
type Kind int

const (
	// Defined is a defined type, type Old Twin[any]. It has the twin's
	// methods and is assignable to and from Twin[any], but is not
	// identical to it: func(Old) is not func(Twin[any]), nor []Old
	// []Twin[any].
	Defined Kind = iota
	// Alias is type Old = Twin[any]: identical to Twin[any] everywhere.
	Alias
	// Func is a package-level function (every one a constructor, none a
	// method): a call to rewrite.
	Func
)

func (k Kind) String() string {
	switch k {
	case Defined:
		return "defined type"
	case Alias:
		return "alias"
	case Func:
		return "function"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Entry is one deprecated name and its typed replacements.
type Entry struct {
	Name string // the deprecated name in package Path
	Kind Kind
	// Hidden reports whether the name's "Deprecated:" sits mid-paragraph,
	// where staticcheck's SA1019 and gopls do not see it.
	Hidden bool
	// Forms are the replacements, oldest Since first; a later form is
	// shorter or avoids a name deprecated since.
	Forms []Form
}

// Form is a replacement that exists from client-go Since on.
type Form struct {
	Since string // first client-go version that has Twin (and Args' configs)
	Twin  string // the typed name in package Path
	// ExplicitT reports whether [T] must be written after Twin: it cannot
	// be inferred (no arguments, or none that mention T). Types always
	// need it, so it is true for every Defined and Alias entry. When
	// false for a variadic Twin, a call with no arguments still needs it.
	ExplicitT bool
	// Args lists the arguments of the new call in order; nil means the old
	// call's arguments, unchanged (variadic spreads included).
	Args []Arg
}

// Arg is one argument of a rewritten call: the old call's argument at
// index Old, or, when Config is set, a composite literal Config[T]{...}
// whose fields take old arguments.
type Arg struct {
	Old    int
	Config string
	Fields []Field
}

// Field is a keyed field of a config literal, set to the old argument at
// index Old.
type Field struct {
	Name string
	Old  int
}

// Since returns the first client-go version with a replacement for e.
func (e *Entry) Since() string { return e.Forms[0].Since }

// For returns the newest form that client-go version has, and false if
// it has none.
func (e *Entry) For(version string) (Form, bool) {
	for i := len(e.Forms) - 1; i >= 0; i-- {
		if semver.Compare(version, e.Forms[i].Since) >= 0 {
			return e.Forms[i], true
		}
	}
	return Form{}, false
}

// Addition is typed API that arrived after the first typed release, so
// the rule may use it only from Since on: a name of package Path, or a
// field of that struct type when Field is set.
type Addition struct {
	Name, Field string
	Since       string
}

// byName indexes Table.
var byName = func() map[string]*Entry {
	m := make(map[string]*Entry, len(Table))
	for i := range Table {
		m[Table[i].Name] = &Table[i]
	}
	return m
}()

// Lookup returns the entry for obj if obj is a deprecated package-level
// name of the work-queue package (vendored copies included), matched by
// its package's path and its name, never by how the source spells it.
func Lookup(obj types.Object) (*Entry, bool) {
	if fn, ok := obj.(*types.Func); ok {
		obj = fn.Origin()
	}
	if obj == nil || !isWorkqueue(obj.Pkg()) || obj.Parent() != obj.Pkg().Scope() {
		return nil, false
	}
	e, ok := byName[obj.Name()]
	if !ok {
		return nil, false
	}
	if !hasKind(obj, e.Kind) {
		return nil, false
	}
	return e, true
}

// hasKind reports whether obj is the sort of object an entry of kind is.
func hasKind(obj types.Object, kind Kind) bool {
	switch obj.(type) {
	case *types.Func:
		return kind == Func
	case *types.TypeName:
		return kind == Defined || kind == Alias
	}
	return false
}

// isWorkqueue reports whether p is the work-queue package, vendored or not.
func isWorkqueue(p *types.Package) bool {
	if p == nil {
		return false
	}
	prefix, ok := strings.CutSuffix(p.Path(), Path)
	return ok && (prefix == "" || strings.HasSuffix(prefix, "/vendor/"))
}

// Supported reports whether client-go at version (a module version such as
// "v0.31.0") has the typed work queue, and says which version to upgrade
// to when it has not.
func Supported(version string) error {
	need := minSince()
	if !semver.IsValid(version) {
		return fmt.Errorf("client-go version %q is not a semantic version: the typed work queue needs k8s.io/client-go %s or newer", version, need)
	}
	if semver.Compare(version, need) < 0 {
		return fmt.Errorf("client-go %s has no typed work queue: upgrade k8s.io/client-go to %s or newer", version, need)
	}
	return nil
}

// minSince returns the first client-go version with typed forms: the
// earliest Since of the table. Names deprecated later (TypedNewDelayingQueue)
// are not deprecated before their Since, so need no form there.
func minSince() string {
	need := ""
	for i := range Table {
		if s := Table[i].Since(); need == "" || semver.Compare(s, need) < 0 {
			need = s
		}
	}
	return need
}
