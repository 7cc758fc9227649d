package gen

import (
	"strconv"
	"strings"
	"testing"
)

// TestCompareSites: each verdict, on a worker migrated by its authors
// and by a tool that gets one site right, one wrong, misses one and
// changes one the authors left.
func TestCompareSites(t *testing.T) {
	before := `type C struct {
	queue workqueue.RateLimitingInterface
}
func (c *C) next() {
	obj, _ := c.queue.Get()
	defer c.queue.Done(obj)
	key, ok := obj.(string)
	if !ok {
		c.queue.Forget(obj)
		return
	}
	c.queue.Forget(obj)
	log(key)
}

func logf() {}
`
	authors := `type C struct {
	queue workqueue.TypedRateLimitingInterface[string]
}
func (c *C) next() {
	key, _ := c.queue.Get()
	defer c.queue.Done(key)
	c.queue.Forget(key)
	log(key)
}

func logf() {}
`
	ours := `type C struct {
	queue   workqueue.TypedRateLimitingInterface[string]
}
func (c *C) next() {
	obj, _ := c.queue.Get()
	defer c.queue.Done(obj)
	key := obj
	c.queue.Forget(obj)
	log(key)
}

func logf() { /* extra */ }
`
	got := CompareSites(before, authors, ours)
	var verdicts []string
	for _, s := range got {
		verdicts = append(verdicts, string(s.Verdict)+"@"+strconv.Itoa(s.Line))
	}
	want := "agree@2 differ@5 extra@16"
	if strings.Join(verdicts, " ") != want {
		var b strings.Builder
		for _, s := range got {
			b.WriteString(s.String())
		}
		t.Errorf("verdicts %s, want %s\n%s", strings.Join(verdicts, " "), want, b.String())
	}
	for _, s := range got {
		if s.Verdict == Differ && !strings.Contains(strings.Join(s.Ours, "\n"), "\tkey := obj\n") {
			t.Errorf("the differing site shows queuefix's lines as %q, want them to hold %q", s.Ours, "key := obj")
		}
	}
	if got := CompareSites(before, authors, before); len(got) == 0 || got[0].Verdict != Missed {
		t.Errorf("unchanged output: want every authors' site missed, got %v", got)
	}
	if got := CompareSites(before, authors, authors); len(got) == 0 || got[0].Verdict != Agree || len(got) != countHunks(before, authors) {
		t.Errorf("the authors' own output: want every site agreed, got %v", got)
	}
}

func countHunks(a, b string) int { return len(Hunks(lines(a), lines(b))) }

// TestCompareTraces: the order across items may differ, the order,
// delays and counts of one item's calls may not.
func TestCompareTraces(t *testing.T) {
	e := func(step int, op, item string, n int) Entry {
		return Entry{Step: step, Phase: "worker", Op: op, Item: item, N: n}
	}
	before := Run{Log: []Entry{e(1, "Get", "a", 0), e(1, "Forget", "a", 0), e(2, "Get", "b", 1), e(2, "Done", "b", 1)}}
	swapped := Run{Log: []Entry{e(1, "Get", "b", 1), e(1, "Done", "b", 1), e(2, "Get", "a", 0), e(2, "Forget", "a", 0)}}
	if v := CompareTraces(before, swapped); len(v) != 0 {
		t.Errorf("items in another order: want no violation, got %v", v)
	}
	for name, after := range map[string]Run{
		"a call of one item reordered": {Log: []Entry{e(1, "Forget", "a", 0), e(1, "Get", "a", 0), e(2, "Get", "b", 1), e(2, "Done", "b", 1)}},
		"another requeue count":        {Log: []Entry{e(1, "Get", "a", 0), e(1, "Forget", "a", 0), e(2, "Get", "b", 2), e(2, "Done", "b", 1)}},
		"a call missing":               {Log: []Entry{e(1, "Get", "a", 0), e(2, "Get", "b", 1), e(2, "Done", "b", 1)}},
		"a run error":                  {Log: before.Log, Err: "boom"},
	} {
		if v := CompareTraces(before, after); len(v) == 0 {
			t.Errorf("%s: want a violation, got none", name)
		}
	}
}
