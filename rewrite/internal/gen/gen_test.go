package gen

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
)

// TestDeterministic: a seed gives the same controllers every time, and a
// shape printed by a failure rebuilds the same controller.
func TestDeterministic(t *testing.T) {
	a, err := Generate(7, 50, Features{V2: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(7, 50, Features{V2: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Source, b[i].Source) {
			t.Fatalf("%s differs between two runs of seed 7", a[i].Name)
		}
		s, err := ParseShape(a[i].Shape.String())
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build(a[i].Name, s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.Source, a[i].Source) {
			t.Errorf("shape %q does not rebuild %s", a[i].Shape, a[i].Name)
		}
	}
}

// TestV1Features: without v2, no shape needs Forget rule v2.
func TestV1Features(t *testing.T) {
	cs, err := Generate(3, 300, Features{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Oracle.NeedsV2 {
			t.Errorf("%s needs rule v2: %s", c.Name, c.Shape)
		}
	}
}

// TestOracle spells out the oracle of some shapes by hand: a key stored
// in a lookup map keeps its verdict, a parked key turns Change to Review
// unless only the invalid item's path, which returns before the store,
// misses Forget.
func TestOracle(t *testing.T) {
	for _, tc := range []struct {
		shape  string
		worker Verdict
		sites  string
		paths  map[string]Path
	}{
		{
			shape:  "typed handler=closure enqueue=helper worker=flat style=returns outcome=err success-forget=false limit=true drop-forget=true perm=drop invalid=none rule=v2",
			worker: Change,
			sites:  "h1:change r2:keep",
			paths: map[string]Path{
				PathOK: {}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Forgets: true}, PathExhausted: {Forgets: true},
			},
		},
		{
			shape:  "typed handler=closure enqueue=helper worker=flat style=returns outcome=err success-forget=false limit=true drop-forget=true perm=drop invalid=none rule=v2 store=lookup",
			worker: Change,
			sites:  "h1:change r2:keep",
			paths: map[string]Path{
				PathOK: {}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Forgets: true}, PathExhausted: {Forgets: true},
			},
		},
		{
			shape:  "typed handler=closure enqueue=helper worker=flat style=returns outcome=err success-forget=false limit=true drop-forget=true perm=drop invalid=none rule=v2 store=parked",
			worker: Review,
			sites:  "h1:change r2:keep",
			paths: map[string]Path{
				PathOK: {}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Forgets: true}, PathExhausted: {Forgets: true},
			},
		},
		{
			shape:  "typed handler=closure enqueue=helper worker=flat style=returns outcome=err success-forget=true limit=true drop-forget=true perm=drop invalid=none rule=v2 store=parked",
			worker: None,
			sites:  "h1:change r2:keep",
			paths: map[string]Path{
				PathOK: {Forgets: true}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Forgets: true}, PathExhausted: {Forgets: true},
			},
		},
		{
			// The invalid item returns before the key is parked: Forget
			// goes there, and the paths past the store all forget or requeue.
			shape:  "typed handler=closure enqueue=helper worker=flat style=returns outcome=err success-forget=true limit=true drop-forget=true perm=drop invalid=bare rule=v2 store=parked",
			worker: Change,
			sites:  "h1:change r2:keep",
			paths: map[string]Path{
				PathOK: {Forgets: true}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Forgets: true}, PathExhausted: {Forgets: true}, PathInvalid: {},
			},
		},
		{
			shape:  "legacy handler=custom enqueue=shared worker=escape style=chain outcome=err success-forget=true limit=false drop-forget=false perm=after invalid=bare rule=v2",
			worker: Review,
			sites:  "h1:review",
			paths: map[string]Path{
				PathOK: {Forgets: true}, PathTransient: {Requeue: "ratelimited"},
				PathPermanent: {Requeue: "after"}, PathInvalid: {},
			},
		},
	} {
		s, err := ParseShape(tc.shape)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build("c", s)
		if err != nil {
			t.Fatal(err)
		}
		var sites []string
		for _, st := range c.Oracle.Sites {
			sites = append(sites, st.ID+":"+string(st.Verdict))
		}
		if got := join(sites); got != tc.sites || c.Oracle.Worker != tc.worker {
			t.Errorf("%s: sites %s worker %s, want %s and %s", tc.shape, got, c.Oracle.Worker, tc.sites, tc.worker)
		}
		if len(c.Oracle.Paths) != len(tc.paths) {
			t.Errorf("%s: paths %v, want %v", tc.shape, c.Oracle.Paths, tc.paths)
		}
		for k, p := range tc.paths {
			if c.Oracle.Paths[k] != p {
				t.Errorf("%s: path %s is %+v, want %+v", tc.shape, k, c.Oracle.Paths[k], p)
			}
		}
	}
}

func join(xs []string) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

// TestDoneOracle spells out the done rule's expectations by hand: a
// worker that never calls Done gets one (every path misses it), one that
// hands the item to a goroutine without Done is left for review, and
// done=early misses Done only on the invalid item's path.
func TestDoneOracle(t *testing.T) {
	base := "typed handler=closure enqueue=direct worker=%s style=returns outcome=err success-forget=true limit=false drop-forget=true perm=drop invalid=forget rule=v2%s"
	for _, tc := range []struct {
		worker, done string
		want         Verdict
		undone       []string
	}{
		{"flat", "", None, nil},
		{"flat", " done=none", Change, []string{PathInvalid, PathOK, PathPermanent, PathTransient}},
		{"escape", " done=none", Review, []string{PathInvalid, PathOK, PathPermanent, PathTransient}},
		{"flat", " done=early", Change, []string{PathInvalid}},
	} {
		line := fmt.Sprintf(base, tc.worker, tc.done)
		s, err := ParseShape(line)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build("c", s)
		if err != nil {
			t.Fatal(err)
		}
		var undone []string
		for kind, p := range c.Oracle.Paths {
			if p.Undone {
				undone = append(undone, kind)
			}
		}
		sort.Strings(undone)
		if c.Oracle.Done != tc.want || join(undone) != join(tc.undone) {
			t.Errorf("%s: done %s, paths without Done %v; want %s and %v", line, c.Oracle.Done, undone, tc.want, tc.undone)
		}
		if got := bytes.Count(c.Source, []byte("c.queue.Done(")); (tc.done == " done=none") != (got == 0) {
			t.Errorf("%s: %d Done calls in the source\n%s", line, got, c.Source)
		}
		if tc.done != "" && !c.Script.Undone {
			t.Errorf("%s: the script does not expect a missing Done", line)
		}
	}
}
