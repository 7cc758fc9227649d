package typedapi

import "strings"

// Type returns the source text of the type that replaces a Defined or
// Alias entry: Twin[t], qualified with pkg (the file's name for the
// work-queue package; "" for none).
func (f Form) Type(pkg, t string) string {
	if !f.ExplicitT {
		return qualify(pkg, f.Twin) // not valid Go: the tests prove [t] needed
	}
	return qualify(pkg, f.Twin) + "[" + t + "]"
}

// Call returns the source text of the call that replaces a call of a Func
// entry whose arguments are args, qualifying names with pkg and writing
// the item type as t where it must be explicit.
func (f Form) Call(pkg, t string, args []string) string {
	var b strings.Builder
	b.WriteString(qualify(pkg, f.Twin))
	if f.ExplicitT {
		b.WriteString("[" + t + "]")
	}
	b.WriteString("(")
	for i, a := range f.newArgs(args) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.render(pkg, t, args))
	}
	b.WriteString(")")
	return b.String()
}

// newArgs returns f's arguments, the old ones unchanged when f.Args is nil.
func (f Form) newArgs(old []string) []Arg {
	if f.Args != nil {
		return f.Args
	}
	same := make([]Arg, len(old))
	for i := range old {
		same[i] = Arg{Old: i}
	}
	return same
}

func (a Arg) render(pkg, t string, old []string) string {
	if a.Config == "" {
		return old[a.Old]
	}
	fields := make([]string, len(a.Fields))
	for i, f := range a.Fields {
		fields[i] = f.Name + ": " + old[f.Old]
	}
	return qualify(pkg, a.Config) + "[" + t + "]{" + strings.Join(fields, ", ") + "}"
}

func qualify(pkg, name string) string {
	if pkg == "" {
		return name
	}
	return pkg + "." + name
}

// Func returns the source text of the function a call of a Func entry
// calls once rewritten: Twin, or Twin[t] where T must be explicit.
func (f Form) Func(pkg, t string) string {
	if f.ExplicitT {
		return qualify(pkg, f.Twin) + "[" + t + "]"
	}
	return qualify(pkg, f.Twin)
}

// CallArgs returns the source text of each argument of the rewritten
// call whose old arguments are args, so a caller can put each where an
// old argument stood and keep the call's layout.
func (f Form) CallArgs(pkg, t string, args []string) []string {
	newArgs := f.newArgs(args)
	out := make([]string, len(newArgs))
	for i, a := range newArgs {
		out[i] = a.render(pkg, t, args)
	}
	return out
}
