package udiff

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

// wholeHunks is Hunks as it was before numberedOps: go-diff's own line
// helpers, and every line in the edit script.
func wholeHunks(old, new string, context int) []byte {
	return writeHunks(lineOps(old, new), context)
}

// spliceLines inserts, deletes or replaces a few lines of lines at random
// places, drawing new lines from pool, as the rules' edits do (and more).
func spliceLines(r *rand.Rand, lines, pool []string) []string {
	out := append([]string(nil), lines...)
	for range 1 + r.Intn(3) {
		at := r.Intn(len(out) + 1)
		switch r.Intn(3) {
		case 0: // insert
			n := 1 + r.Intn(3)
			ins := make([]string, n)
			for i := range ins {
				ins[i] = pool[r.Intn(len(pool))]
			}
			out = append(out[:at], append(ins, out[at:]...)...)
		case 1: // delete
			if at < len(out) {
				out = append(out[:at], out[at+1:]...)
			}
		default: // replace
			if at < len(out) {
				out[at] = pool[r.Intn(len(pool))]
			}
		}
	}
	return out
}

// TestNumberedMatchesWhole holds the diff from numberedOps to the one
// from go-diff's line helpers, byte for byte, on files whose lines repeat a lot (braces,
// blank lines, returns), with edits next to copies of themselves, near
// either end, with and without a final newline.
func TestNumberedMatchesWhole(t *testing.T) {
	pool := []string{"}\n", "\n", "\treturn nil\n", "\tc.queue.Forget(key)\n", "\tc.queue.Add(key)\n", "\tc.queue.AddRateLimited(key)\n", "\tif err != nil {\n", "x\n", "y"}
	r := rand.New(rand.NewSource(1))
	gaps := 0
	for i := range 20000 {
		size := []int{0, 1, 2, 5, 12, 40}[r.Intn(6)]
		lines := make([]string, size)
		for j := range lines {
			lines[j] = pool[r.Intn(len(pool)-1)]
		}
		old := strings.Join(lines, "")
		if r.Intn(4) == 0 {
			old += pool[len(pool)-1] // no final newline
		}
		new := strings.Join(spliceLines(r, splitLines(old), pool), "")
		if old == new {
			continue
		}
		ctx := r.Intn(5)
		if ops, ok := numberedOps(old, new, ctx); ok && hasGap(ops) {
			gaps++
		}
		got, want := Hunks([]byte(old), []byte(new), ctx), wholeHunks(old, new, ctx)
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d, context %d\nold %q\nnew %q\ngot:\n%s\nwant:\n%s", i, ctx, old, new, got, want)
		}
	}
	if gaps < 1000 {
		t.Errorf("only %d cases left equal lines out", gaps)
	}
}

func hasGap(ops []op) bool {
	for _, o := range ops {
		if o.kind == gap {
			return true
		}
	}
	return false
}
