package gen

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// An Entry is one call the harness logged (the harness's Entry, as JSON).
type Entry struct {
	Round int           `json:"round"`
	Step  int           `json:"step"`
	Phase string        `json:"phase"`
	Op    string        `json:"op"`
	Item  string        `json:"item"`
	Delay time.Duration `json:"delay"`
	N     int           `json:"n"`
}

func (e Entry) String() string {
	s := fmt.Sprintf("r%d s%-3d %-7s %-15s %-14s n=%d", e.Round, e.Step, e.Phase, e.Op, e.Item, e.N)
	if e.Delay > 0 {
		s += " delay=" + e.Delay.String()
	}
	return s
}

// A Run is one execution of a controller's script.
type Run struct {
	Log []Entry `json:"log"`
	Err string  `json:"err,omitempty"`
}

// A Finding is what queuefix said about a line of the controller.
type Finding struct {
	Line    int
	Rule    string // addratelimited, forget, ...
	Status  string // change, review, keep, ignored
	Message string
}

// A Violation is a broken contract, with the log entries that show it.
type Violation struct {
	What    string
	Entries []Entry
}

// Stats counts what a check covered.
type Stats struct {
	Steps      int
	Paths      map[string]int // worker steps after the fix, by path kind
	BugsSeen   int            // paths or sites whose bug the run before the fix showed
	Unobserved int            // paths whose missing Forget the script could not show
}

const (
	baseDelay    = 5 * time.Millisecond // the harness's limiter
	recheckDelay = 2 * time.Second      // the generated AddAfter delay
)

// Check holds a controller to its oracle: queuefix's findings, the source
// it wrote, and the runs before and after the fix.
func (c *Controller) Check(findings []Finding, after []byte, before, fixed Run, st *Stats) []Violation {
	var v []Violation
	v = append(v, c.checkSites(findings, after)...)
	v = append(v, c.checkWorkerVerdict(findings, after)...)
	v = append(v, c.checkDoneVerdict(findings, after)...)
	for _, r := range []struct {
		name string
		run  Run
	}{{"before", before}, {"after", fixed}} {
		if r.run.Err != "" {
			v = append(v, Violation{What: r.name + " the fix, the run failed: " + r.run.Err})
		}
	}
	v = append(v, c.checkHandlers(before.Log, fixed.Log, st)...)
	if c.Oracle.Paths != nil {
		v = append(v, c.checkSteps(before.Log, false, st)...)
		v = append(v, c.checkSteps(fixed.Log, true, st)...)
		v = append(v, c.checkReprocessed(before.Log, false, st)...)
		v = append(v, c.checkReprocessed(fixed.Log, true, st)...)
	}
	return v
}

// siteLines maps each marked site to its line (1-based) in src.
func siteLines(src []byte) map[string]int {
	out := make(map[string]int)
	for i, line := range strings.Split(string(src), "\n") {
		if _, id, ok := strings.Cut(line, "// site:"); ok {
			out[strings.TrimSpace(id)] = i + 1
		}
	}
	return out
}

func lineOf(src []byte, id string) string {
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasSuffix(line, "// site:"+id) {
			return line
		}
	}
	return ""
}

func (c *Controller) checkSites(findings []Finding, after []byte) []Violation {
	var v []Violation
	lines := siteLines(c.Source)
	atLine := make(map[int][]Finding)
	for _, f := range findings {
		if f.Rule == "addratelimited" {
			atLine[f.Line] = append(atLine[f.Line], f)
		}
	}
	for _, s := range c.Oracle.Sites {
		line := lines[s.ID]
		got := statusOf(atLine[line])
		delete(atLine, line)
		want := string(s.Verdict)
		if s.Verdict == Keep && (got == "" || got == "keep") {
			got = want
		}
		if got != want {
			v = append(v, Violation{What: fmt.Sprintf("site %s (line %d): want %s, queuefix said %q", s.ID, line, want, findingText(findings, line))})
		}
		old, now := lineOf(c.Source, s.ID), lineOf(after, s.ID)
		wantNow := old
		if s.Verdict == Change {
			wantNow = strings.Replace(old, ".AddRateLimited(", ".Add(", 1)
		}
		if now != wantNow {
			v = append(v, Violation{What: fmt.Sprintf("site %s after the fix: want %q, got %q", s.ID, strings.TrimSpace(wantNow), strings.TrimSpace(now))})
		}
	}
	for line, fs := range atLine {
		if st := statusOf(fs); st != "keep" {
			v = append(v, Violation{What: fmt.Sprintf("line %d: queuefix said %s (%s) where the generator wrote no site", line, st, fs[0].Message)})
		}
	}
	return v
}

// statusOf returns the one status of the findings at a line, or a list.
func statusOf(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Status)
	}
	return strings.Join(out, "+")
}

func findingText(fs []Finding, line int) string {
	for _, f := range fs {
		if f.Line == line && f.Rule == "addratelimited" {
			return f.Status + ": " + f.Message
		}
	}
	return "nothing"
}

func (c *Controller) checkWorkerVerdict(findings []Finding, after []byte) []Violation {
	if c.Oracle.Worker == "" {
		return nil
	}
	count := map[string]int{}
	var msgs []string
	for _, f := range findings {
		if f.Rule == "forget" {
			count[f.Status]++
			msgs = append(msgs, fmt.Sprintf("%d: %s: %s", f.Line, f.Status, f.Message))
		}
	}
	var ok bool
	switch c.Oracle.Worker {
	case Change:
		ok = count["change"] > 0 && count["review"] == 0
	case None:
		ok = count["change"] == 0 && count["review"] == 0
	case Review:
		ok = count["change"] == 0 && count["review"] > 0
	}
	var v []Violation
	if !ok {
		v = append(v, Violation{What: fmt.Sprintf("worker: want %s, queuefix said %q", c.Oracle.Worker, strings.Join(msgs, "; "))})
	}
	if c.Oracle.Worker != Change {
		if a, b := bytes.Count(c.Source, []byte(".Forget(")), bytes.Count(after, []byte(".Forget(")); a != b {
			v = append(v, Violation{What: fmt.Sprintf("worker (%s) gained Forget calls: %d before, %d after", c.Oracle.Worker, a, b)})
		}
	}
	return v
}

// wantDones is how many Done a step of path p calls: one, but none
// where the generated worker misses Done and the fix does not add it.
func (c *Controller) wantDones(p Path, fixed bool) int {
	if p.Undone && (!fixed || c.Oracle.Done == Review) {
		return 0
	}
	return 1
}

// checkDoneVerdict holds the done rule's findings to the oracle.
func (c *Controller) checkDoneVerdict(findings []Finding, after []byte) []Violation {
	if c.Oracle.Done == "" {
		return nil
	}
	count := map[string]int{}
	var msgs []string
	for _, f := range findings {
		if f.Rule == "done" {
			count[f.Status]++
			msgs = append(msgs, fmt.Sprintf("%d: %s: %s", f.Line, f.Status, f.Message))
		}
	}
	want := map[Verdict]bool{
		Change: count["change"] == 1 && count["review"] == 0,
		None:   count["change"] == 0 && count["review"] == 0,
		Review: count["change"] == 0 && count["review"] > 0,
	}
	var v []Violation
	if !want[c.Oracle.Done] {
		v = append(v, Violation{What: fmt.Sprintf("done: want %s, queuefix said %q", c.Oracle.Done, strings.Join(msgs, "; "))})
	}
	if c.Oracle.Done != Change {
		if a, b := bytes.Count(c.Source, []byte(".Done(")), bytes.Count(after, []byte(".Done(")); a != b {
			v = append(v, Violation{What: fmt.Sprintf("worker (done: %s) gained Done calls: %d before, %d after", c.Oracle.Done, a, b)})
		}
	}
	return v
}

// checkReprocessed: an item added again after a worker took it is taken
// again. Before the fix, an item left without Done is not (the queue
// keeps it in processing): that is the generated bug, seen.
func (c *Controller) checkReprocessed(log []Entry, fixed bool, st *Stats) []Violation {
	var v []Violation
	taken := map[string]bool{}
	lost := false
	for i, e := range log {
		if e.Phase == "worker" && e.Op == "Get" {
			taken[e.Item] = true
		}
		if e.Phase == "worker" || !taken[e.Item] || e.Op != "Add" && e.Op != "AddRateLimited" {
			continue
		}
		if slices.ContainsFunc(log[i+1:], func(g Entry) bool { return g.Phase == "worker" && g.Op == "Get" && g.Item == e.Item }) {
			continue
		}
		lost = true
		if fixed && c.Oracle.Done != Review {
			v = append(v, Violation{What: fmt.Sprintf("after the fix, %s was added again in round %d and never taken again", e.Item, e.Round), Entries: []Entry{e}})
		}
	}
	if !fixed && lost {
		st.BugsSeen++
	}
	if !fixed && !lost && c.Oracle.Done == Change && c.Script.Undone {
		v = append(v, Violation{What: "the generated Done bug is missing: every item added again was taken again before the fix"})
	}
	return v
}

// checkHandlers: the handlers enqueue the same items before and after the
// fix, with Add where the oracle changes every handler site.
func (c *Controller) checkHandlers(before, after []Entry, st *Stats) []Violation {
	var change, keep int
	for _, s := range c.Oracle.Sites {
		if s.Handler && s.Verdict == Change {
			change++
		} else if s.Handler {
			keep++
		}
	}
	hb, ha := handlerAdds(before), handlerAdds(after)
	var v []Violation
	if items(hb) != items(ha) {
		v = append(v, Violation{What: fmt.Sprintf("handlers enqueue other items after the fix: before %s, after %s", items(hb), items(ha)), Entries: ha})
	}
	lb, la := limited(hb), limited(ha)
	switch {
	case change > 0 && lb == 0:
		v = append(v, Violation{What: "the generated handler bug is missing: no handler AddRateLimited before the fix", Entries: hb})
	case change > 0:
		st.BugsSeen++
	}
	if keep == 0 && la > 0 {
		v = append(v, Violation{What: fmt.Sprintf("%d handler AddRateLimited calls after the fix", la), Entries: ha})
	}
	if keep > 0 && la != lb {
		v = append(v, Violation{What: fmt.Sprintf("a handler site left alone changed behaviour: %d AddRateLimited before, %d after", lb, la), Entries: ha})
	}
	return v
}

func handlerAdds(log []Entry) []Entry {
	var out []Entry
	for _, e := range log {
		if e.Phase == "handler" && (e.Op == "Add" || e.Op == "AddRateLimited") {
			out = append(out, e)
		}
	}
	return out
}

func items(es []Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Item)
	}
	return strings.Join(out, ",")
}

func limited(es []Entry) int {
	n := 0
	for _, e := range es {
		if e.Op == "AddRateLimited" {
			n++
		}
	}
	return n
}

// A step is one worker step: its entries, from Get to the item's End.
type step struct {
	entries []Entry
	get     Entry
	end     Entry
}

func steps(log []Entry) []step {
	var out []step
	for i := 0; i < len(log); i++ {
		e := log[i]
		if e.Phase != "worker" || e.Op != "Get" {
			continue
		}
		s := step{get: e}
		for j := i; j < len(log) && log[j].Round == e.Round && log[j].Step == e.Step; j++ {
			s.entries = append(s.entries, log[j])
			if log[j].Op == "End" {
				s.end = log[j]
			}
		}
		out = append(out, s)
	}
	return out
}

// checkSteps holds each worker step to the path the oracle says it took.
// fixed: the run after the fix, where every path that ends the retry
// cycle must have forgotten the item.
func (c *Controller) checkSteps(log []Entry, fixed bool, st *Stats) []Violation {
	var v []Violation
	cycle := map[string]int{} // failures in the item's current retry cycle
	bug, shown, hidden := false, false, false
	for _, s := range steps(log) {
		bad := func(format string, args ...any) {
			v = append(v, Violation{What: fmt.Sprintf("%s step %d of %s: ", phaseName(fixed), s.get.Step, s.get.Item) + fmt.Sprintf(format, args...), Entries: s.entries})
		}
		kind, p, ok := c.pathOf(s)
		if !ok {
			bad("took a path the oracle does not know (%s)", kind)
			continue
		}
		if fixed {
			st.Steps++
			st.Paths[kind]++
		}
		ops := opsOf(s)
		if want := c.wantDones(p, fixed); ops["Get"] != 1 || ops["Done"] != want {
			bad("want one Get and %d Done, got %d and %d", want, ops["Get"], ops["Done"])
		}
		checkRequeue(s, p, ops, bad)
		if !p.Ends() || c.Oracle.Worker == Review {
			cycle[s.get.Item] += ops["AddRateLimited"]
			if fixed && c.Oracle.Worker != Review {
				checkBackoff(s, cycle[s.get.Item]-ops["AddRateLimited"], c.handlersLimited(), bad)
			}
			continue
		}
		cycle[s.get.Item] = 0
		switch {
		case fixed && (ops["Forget"] != 1 || s.end.N != 0):
			bad("%s path ends the retry cycle: want one Forget and NumRequeues 0, got %d Forget and NumRequeues %d", kind, ops["Forget"], s.end.N)
		case fixed:
		case p.Forgets && s.end.N != 0:
			bad("%s path forgets, yet NumRequeues is %d", kind, s.end.N)
		case !p.Forgets && s.get.N > 0 && s.end.N == 0:
			bad("the generated bug is missing: %s path without Forget left NumRequeues 0", kind)
		case !p.Forgets && s.get.N > 0:
			bug, shown = true, true
		case !p.Forgets:
			bug, hidden = true, true
		}
	}
	if !fixed && bug {
		if shown {
			st.BugsSeen++
		} else if hidden {
			st.Unobserved++
		}
	}
	return v
}

func phaseName(fixed bool) string {
	if fixed {
		return "after the fix,"
	}
	return "before the fix,"
}

// pathOf names the step's path from its last outcome and its requeues at Get.
func (c *Controller) pathOf(s step) (string, Path, bool) {
	outcome := ""
	for _, e := range s.entries {
		if name, ok := strings.CutPrefix(e.Op, "Outcome:"); ok {
			outcome = name
		}
	}
	if outcome == "" && s.get.Item != c.Script.Invalid {
		return "no sync", Path{}, false
	}
	kind := c.Oracle.PathOf(outcome, s.get.N)
	p, ok := c.Oracle.Paths[kind]
	return kind, p, ok
}

func opsOf(s step) map[string]int {
	ops := map[string]int{}
	for _, e := range s.entries {
		if e.Item == s.get.Item {
			ops[e.Op]++
		}
	}
	return ops
}

// checkRequeue: the step requeues exactly as its path says, before and
// after the fix, and never Forgets before a requeue.
func checkRequeue(s step, p Path, ops map[string]int, bad func(string, ...any)) {
	rl, af := ops["AddRateLimited"], ops["AddAfter"]
	switch p.Requeue {
	case "ratelimited":
		if rl != 1 || af != 0 {
			bad("want one AddRateLimited, got %d AddRateLimited and %d AddAfter", rl, af)
		}
	case "after":
		if af != 1 || rl != 0 {
			bad("want one AddAfter, got %d AddAfter and %d AddRateLimited", af, rl)
		}
	default:
		if rl+af != 0 {
			bad("want no requeue, got %d AddRateLimited and %d AddAfter", rl, af)
		}
	}
	forgot := false
	for _, e := range s.entries {
		switch {
		case e.Item != s.get.Item:
		case e.Op == "Forget":
			forgot = true
		case (e.Op == "AddRateLimited" || e.Op == "AddAfter") && forgot:
			bad("Forget before %s of the same item", e.Op)
		case e.Op == "AddAfter" && e.Delay != recheckDelay:
			bad("AddAfter delay %v, want %v", e.Delay, recheckDelay)
		}
	}
}

// checkBackoff: after the fix, a retry waits what the limiter gives the
// k-th failure of a fresh retry cycle: the delay the code had before the
// fix for the same count, with no count left over from handlers or from
// earlier cycles (unless a handler site was rightly left rate limited).
func checkBackoff(s step, k int, handlersLimited bool, bad func(string, ...any)) {
	for _, e := range s.entries {
		if e.Op != "When" || e.Item != s.get.Item {
			continue
		}
		if e.Delay != baseDelay<<(e.N-1) {
			bad("the limiter gave %v for failure %d", e.Delay, e.N)
		}
		if !handlersLimited && e.Delay != baseDelay<<k {
			bad("retry %d of this cycle waited %v, want %v", k+1, e.Delay, baseDelay<<k)
		}
	}
}

// handlersLimited reports whether some handler site is left rate limited.
func (c *Controller) handlersLimited() bool {
	for _, s := range c.Oracle.Sites {
		if s.Handler && s.Verdict != Change {
			return true
		}
	}
	return false
}
