package rewrite

import "slices"

// typedIgnored returns a finding for each //queuefix:ignore directive
// with a reason that covers a deprecated name of the package, at the
// first such name, and those directives. One such directive keeps the whole package untyped: its
// queues, limiters and items move to the typed API together or not at
// all, so a site cannot stay behind alone.
func (a *index) typedIgnored(tp *typedPkg) ([]Finding, []*ignore) {
	var out []Finding
	var used []*ignore
	for _, u := range tp.uses {
		pos := a.fset.Position(u.id.Pos())
		ig := u.fi.ignoreFor(pos.Line)
		if ig == nil || ig.reason == "" {
			continue // one without a reason is reported as such
		}
		if slices.Contains(used, ig) {
			continue // one finding per directive, at the first name it covers
		}
		used = append(used, ig)
		out = append(out, Finding{Pos: pos, Rule: RuleTyped, Status: Ignored,
			Message: "left alone by //queuefix:ignore: " + ig.reason + "; the typed rule leaves the whole package untyped: its queues move together"})
	}
	return out, used
}

// typedDirectives returns the directives that cover a deprecated
// work-queue name. When the typed rule does not run they count as used:
// they are that rule's, not stale.
func (a *index) typedDirectives() []*ignore {
	var out []*ignore
	for _, fi := range a.files {
		if len(fi.ignores) == 0 {
			continue
		}
		for _, u := range typedUses(fi) {
			if ig := fi.ignoreFor(a.fset.Position(u.id.Pos()).Line); ig != nil {
				out = append(out, ig)
			}
		}
	}
	return out
}
