package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A Shape is every choice the generator made for one controller. The
// source, the script and the oracle are functions of the shape alone, so a
// failing controller can be rebuilt from its shape and made smaller.
type Shape struct {
	CR      bool   // controller-runtime handlers (no worker of ours)
	Legacy  bool   // workqueue.RateLimitingInterface, items are interface{}
	Handler string // how handlers are built (see handlerForms)
	Enqueue string // direct, helper, shared (helper also used by the retry), add
	Worker  string // flat, closure, doneend, split, escape, loop
	Style   string // chain (if/else) or returns (early returns)
	Outcome string // err, switch, handleerr, onerror, enum, bool, settle
	Success bool   // the success path already calls Forget
	Limit   bool   // retries are bounded by NumRequeues < maxRetries
	Drop    bool   // a drop (max retries, permanent failure) already calls Forget
	Perm    string // what a permanent failure does: retry, drop, after
	Invalid string // none, forget, bare: how an item of the wrong type or key is dropped
	V2      bool   // judged by Forget rule v2 (issue 9): it follows loops that only sync
	Done    string // "" (Done on every path), none (the worker never calls Done), early (the invalid item returns before the Done at the end)
	Store   string // none, lookup, parked: where the worker stores the key (issue 19)

	// Ctor: a legacy controller that builds its own queue the pre-v0.31
	// way (NewNamedRateLimitingQueue, DefaultControllerRateLimiter) and
	// hands items to helpers as interface{}: the input of -rule typed
	// (issue 18). Its script injects no item of the wrong type, so that
	// the migrated controller runs the same script.
	Ctor bool
}

var (
	informerForms = []string{"closure", "method", "factory", "filter", "filterptr", "custom", "field"}
	crForms       = []string{"crfuncs", "crhelper", "crtype"}
	enqueueForms  = []string{"direct", "helper", "shared", "add"}
)

// Features say which engine shapes a run may generate. V1 is what the
// engine on main handles; V2 adds the shapes of Forget rule v2 (issue 9):
// drops without Forget, value-coded outcomes and workers split over helpers.
type Features struct {
	V2 bool
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// drawShape draws a shape that compiles and that the features allow.
func drawShape(r *rand.Rand, f Features) Shape {
	s := Shape{CR: r.IntN(8) == 0, Legacy: r.IntN(2) == 0}
	s.Enqueue = pick(r, enqueueForms...)
	if s.CR {
		s.Legacy = false
		s.Handler = pick(r, crForms...)
		return s.normal()
	}
	s.Handler = pick(r, informerForms...)
	workers := []string{"flat", "flat", "closure", "closure", "doneend", "escape", "loop"}
	outcomes := []string{"err", "err", "switch", "handleerr", "onerror"}
	perms := []string{"retry", "drop", "after"}
	invalids := []string{"none", "forget"}
	if f.V2 {
		workers = append(workers, "split", "split")
		outcomes = append(outcomes, "enum", "enum", "bool")
		invalids = append(invalids, "bare")
	}
	s.Worker = pick(r, workers...)
	s.Outcome = pick(r, outcomes...)
	s.Style = pick(r, "chain", "returns")
	s.Success = r.IntN(3) == 0
	s.Limit = r.IntN(2) == 0
	s.Drop = !f.V2 || r.IntN(2) == 0
	s.Perm = pick(r, perms...)
	s.Invalid = pick(r, invalids...)
	s.V2 = f.V2
	s.Done = pick(r, "", "", "", "", "none", "early") // drawn last: earlier fields keep their seeds' values
	s.Store = "none"
	if f.V2 {
		s.Store = pick(r, "none", "none", "lookup", "parked") // drawn after Done, for the same reason
		if s.Outcome == "handleerr" && r.IntN(2) == 0 {
			s.Outcome = "settle" // drawn last, for the same reason
		}
	}
	return s.normal()
}

// normal resolves the choices that cannot go together, so that every
// shape, drawn or shrunk, is one the emitter can write.
func (s Shape) normal() Shape {
	if s.Ctor {
		s.CR, s.Legacy = false, true
	}
	if s.CR {
		if s.Enqueue == "shared" || s.Handler == "crhelper" && s.Enqueue == "direct" {
			s.Enqueue = "helper"
		}
		return s
	}
	if s.Handler == "factory" && s.Enqueue == "shared" {
		s.Enqueue = "helper"
	}
	switch s.Outcome {
	case "handleerr", "onerror":
		s.Style = "returns" // handleErr returns early on each branch
	case "settle":
		s.Style = "chain" // the worker only switches on what settle returns
	case "bool":
		s.Perm = "retry" // a bool cannot tell a permanent failure
	}
	if s.Done == "early" {
		// The invalid item's early return skips the Done at the end.
		s.Worker = "doneend"
	}
	if s.Worker == "doneend" {
		// Done at the end: no other early return may skip it.
		s.Style = "chain"
		switch {
		case s.Done == "early" && s.Invalid == "none":
			s.Invalid = "forget"
		case s.Done != "early":
			s.Invalid = "none"
		}
		if s.Outcome == "handleerr" || s.Outcome == "onerror" || s.Outcome == "settle" {
			s.Outcome = "err"
		}
	}
	if s.Worker == "split" && s.Outcome == "enum" {
		s.Invalid = "none" // process returns the state; the worker switches on it
		s.Store = "none"   // no worker code between Get and the switch to store from
	}
	if s.Store == "" {
		s.Store = "none"
	}
	if s.Worker == "loop" && (s.Outcome == "enum" || s.Outcome == "bool" || s.Outcome == "settle") {
		s.Outcome = "err"
	}
	return s
}

// String is the shape as one line of key=value pairs.
func (s Shape) String() string {
	if s.CR {
		return fmt.Sprintf("cr handler=%s enqueue=%s", s.Handler, s.Enqueue)
	}
	q := "typed"
	if s.Legacy {
		q = "legacy"
	}
	rule := "v1"
	if s.V2 {
		rule = "v2"
	}
	done := ""
	if s.Done != "" {
		done = " done=" + s.Done
	}
	ctor := ""
	if s.Ctor {
		ctor = " ctor=true"
	}
	line := fmt.Sprintf("%s handler=%s enqueue=%s worker=%s style=%s outcome=%s success-forget=%t limit=%t drop-forget=%t perm=%s invalid=%s rule=%s%s%s",
		q, s.Handler, s.Enqueue, s.Worker, s.Style, s.Outcome, s.Success, s.Limit, s.Drop, s.Perm, s.Invalid, rule, done, ctor)
	if s.Store != "none" {
		line += " store=" + s.Store // shapes without a store read as they did before
	}
	return line
}

// Tags names the shape's features, for coverage counts.
func (s Shape) Tags() []string {
	if s.CR {
		return []string{"cr", "handler=" + s.Handler, "enqueue=" + s.Enqueue}
	}
	q := "typed"
	if s.Legacy {
		q = "legacy"
	}
	tags := []string{q, "handler=" + s.Handler, "enqueue=" + s.Enqueue, "worker=" + s.Worker,
		"style=" + s.Style, "outcome=" + s.Outcome, "perm=" + s.Perm, "invalid=" + s.Invalid, "store=" + s.Store}
	if s.Limit {
		tags = append(tags, "limit")
	}
	if !s.Success {
		tags = append(tags, "success-without-forget")
	}
	if !s.Drop {
		tags = append(tags, "drop-without-forget")
	}
	if s.Done != "" {
		tags = append(tags, "done="+s.Done)
	}
	return tags
}

// simpler returns shapes one step simpler than s, for shrinking a failure.
func (s Shape) simpler() []Shape {
	var out []Shape
	try := func(edit func(*Shape)) {
		t := s
		edit(&t)
		t = t.normal()
		if t != s {
			out = append(out, t)
		}
	}
	if s.CR {
		try(func(t *Shape) { t.Handler = "crfuncs" })
		try(func(t *Shape) { t.Enqueue = "direct" })
		return out
	}
	try(func(t *Shape) { t.Handler = "closure" })
	try(func(t *Shape) { t.Enqueue = "add" })
	try(func(t *Shape) { t.Enqueue = "helper" })
	try(func(t *Shape) { t.Worker = "flat" })
	try(func(t *Shape) { t.Outcome = "err" })
	try(func(t *Shape) { t.Style = "returns" })
	try(func(t *Shape) { t.Limit = false })
	try(func(t *Shape) { t.Perm = "retry" })
	try(func(t *Shape) { t.Invalid = "none" })
	try(func(t *Shape) { t.Store = "none" })
	try(func(t *Shape) { t.Success = true })
	try(func(t *Shape) { t.Drop = true })
	if !s.Ctor {
		try(func(t *Shape) { t.Legacy = false })
	}
	try(func(t *Shape) { t.Done = "" })
	return out
}

// ParseShape reads a shape back from String's output.
func ParseShape(line string) (Shape, error) {
	var s Shape
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return s, fmt.Errorf("empty shape")
	}
	switch fields[0] {
	case "cr":
		s.CR = true
	case "legacy":
		s.Legacy = true
	case "typed":
	default:
		return s, fmt.Errorf("shape %q: want cr, legacy or typed first", line)
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return s, fmt.Errorf("shape %q: %q is not key=value", line, f)
		}
		if err := s.set(k, v); err != nil {
			return s, fmt.Errorf("shape %q: %w", line, err)
		}
	}
	return s, nil
}

func (s *Shape) set(k, v string) error {
	strs := map[string]*string{"handler": &s.Handler, "enqueue": &s.Enqueue, "worker": &s.Worker,
		"style": &s.Style, "outcome": &s.Outcome, "perm": &s.Perm, "invalid": &s.Invalid, "done": &s.Done, "store": &s.Store}
	bools := map[string]*bool{"success-forget": &s.Success, "limit": &s.Limit, "drop-forget": &s.Drop, "ctor": &s.Ctor}
	if p := strs[k]; p != nil {
		*p = v
		return nil
	}
	if k == "rule" {
		s.V2 = v == "v2"
		return nil
	}
	if p := bools[k]; p != nil {
		*p = v == "true"
		return nil
	}
	return fmt.Errorf("unknown key %q", k)
}
