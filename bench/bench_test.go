package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadMode fails when rewrite/internal/load/load.go changes its load mode and the
// baseline does not follow.
func TestLoadMode(t *testing.T) {
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLoadMode(repo); err != nil {
		t.Fatal(err)
	}
}

const goodDiff = `diff --git a/pkg/c0000/controller.go b/pkg/c0000/controller.go
--- a/pkg/c0000/controller.go
+++ b/pkg/c0000/controller.go
@@ -45,7 +45,7 @@
 	if err != nil {
 		return
 	}
-	c.queue.AddRateLimited(key)
+	c.queue.Add(key)
 }
 
 // Run starts a worker and blocks until stopCh is closed.
@@ -77,6 +77,7 @@
 		c.queue.Forget(key)
 		return true
 	}
+	c.queue.Forget(key)
 	return true
 }
 
`

func TestCheckDiff(t *testing.T) {
	if err := checkDiff(countDiff([]byte(goodDiff)), 1, ""); err != nil {
		t.Errorf("good diff: %v", err)
	}
	retry := strings.Replace(goodDiff, "-\tc.queue.AddRateLimited(key)", "-\t\t\tc.queue.AddRateLimited(key)", 1)
	if err := checkDiff(countDiff([]byte(retry)), 1, ""); err == nil {
		t.Errorf("a rewritten retry passed:\n%s", retry)
	}
	if err := checkDiff(countDiff([]byte(goodDiff)), 2, ""); err == nil {
		t.Error("one fix passed for two packages")
	}
	if err := checkDiff(countDiff([]byte(goodDiff)), 1, "controller.go:1:1: forget: review\n"); err == nil {
		t.Error("a finding for review passed")
	}
	if err := checkDiff(countDiff([]byte(goodDiff)), 1, "queuefix: 2 AddRateLimited calls: 1 to Add, 1 kept; 1 worker: 1 Forget to add\n"); err != nil {
		t.Errorf("the accounting line of a good run: %v", err)
	}
	if err := checkDiff(countDiff([]byte(goodDiff)), 1, "queuefix: 2 AddRateLimited calls: 1 to Add, 1 needs review; 1 worker: 1 Forget to add\n"); err == nil {
		t.Error("an accounting line with a review passed")
	}
}

// TestGenerate checks that generation is deterministic and that every
// package holds the planted controller.
func TestGenerate(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	la, err := generate(a, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := generate(b, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if la != lb {
		t.Errorf("same seed, %d lines then %d", la, lb)
	}
	if per := la / 3; per < packageLines*9/10 || per > packageLines*11/10 {
		t.Errorf("%d lines per package, want about %d", per, packageLines)
	}
	for i := range 3 {
		src, err := os.ReadFile(filepath.Join(a, "pkg", pkgName(i), "controller.go"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(src), "c.queue.AddRateLimited(key)"); got != 2 {
			t.Errorf("%s: %d AddRateLimited calls, want 2", pkgName(i), got)
		}
	}
}

// TestPrintTargets checks the verdicts of the targets on two sizes: CPU
// 1.2x and 1.4x the floor's, and growth against the floor's plus 10%.
func TestPrintTargets(t *testing.T) {
	s := func(secs float64, mib int64) sample {
		d := time.Duration(secs * float64(time.Second))
		return sample{wall: d, cpu: d, rss: mib << 10}
	}
	rows := []row{
		{n: 200, measured: true, m: measurement{floor: s(2, 100), fix: s(2.4, 120), bare: s(1.6, 100), against: s(3, 150)}},
		{n: 1000, measured: true, m: measurement{floor: s(10, 500), fix: s(14, 600), bare: s(9, 500), against: s(20, 700),
			floorGC: gcCost{n: 12, cpu: 2 * time.Second}, fixGC: gcCost{n: 15, cpu: 5 * time.Second}}},
	}
	rows[0].m.floorGC, rows[0].m.fixGC = gcCost{n: 8, cpu: time.Second / 2}, gcCost{n: 10, cpu: time.Second}
	var b strings.Builder
	printTable(&b, rows)
	got := b.String()
	for _, want := range []string{
		"queuefix cpu <= 1.3x floor: 200 1.20x ok, 1000 1.40x MISSED",
		"queuefix RSS <= 1.3x floor: 200 1.20x ok, 1000 1.20x ok",
		"queuefix time growth 200->1000 <= floor's 5.00x + 10% = 5.50x: 5.83x MISSED",
		"1000: wall 2.00x -> 1.40x, cpu 2.00x (20.0s) -> 1.40x, RSS 1.40x (700 MiB) -> 1.20x",
		"200: 1.6s, 0.80x the floor; the rules add 0.8s, 4.0 ms a package",
		"1000: 9.0s, 0.90x the floor; the rules add 5.0s, 5.0 ms a package",
		"cpu 200->1000 without the rules: 5.62x",
		"  floor 0.00s + 10.00 ms a package",
		"  queuefix -0.50s + 14.50 ms a package, 1.45x the floor's per package",
		"  without the rules -0.25s + 9.25 ms a package, 0.93x the floor's per package",
		"  200: floor 8 in 0.5s, queuefix 10 in 1.0s; less them: floor 1.5s, queuefix 1.4s, 0.93x",
		"  1000: floor 12 in 2.0s, queuefix 15 in 5.0s; less them: floor 8.0s, queuefix 9.0s, 1.12x",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("printTable lacks %q:\n%s", want, got)
		}
	}
}

// TestParseGCTrace adds up real gctrace lines of Go 1.26, among other
// stderr output.
func TestParseGCTrace(t *testing.T) {
	trace := `gc 1 @0.035s 2%: 0.25+8.4+0.14 ms clock, 0.50+0.45/1.1/0+0.29 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
queuefix: 2000 AddRateLimited calls: 1000 to Add, 1000 kept; 1000 workers: 1000 Forget to add
gc 13 @6.849s 17%: 0.12+825+0.005 ms clock, 0.24+242/430/531+0.010 ms cpu, 798->844->700 MB, 839 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 14 @8.212s 20%: 0.15+553+0.084 ms clock, 0.30+542/269/68+0.16 ms cpu, 765->804->624 MB, 810 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
gc 15 @9.000s 20%: garbled
`
	got := parseGCTrace(trace)
	ms := 0.50 + 0.45 + 1.1 + 0 + 0.29 + 0.24 + 242 + 430 + 531 + 0.010 + 0.30 + 542 + 269 + 68 + 0.16
	want := time.Duration(ms * float64(time.Millisecond))
	if got.n != 3 {
		t.Errorf("%d collections, want 3", got.n)
	}
	if d := got.cpu - want; d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("cpu %v, want %v", got.cpu, want)
	}
	if c := parseGCTrace("queuefix: nothing to do\n"); c.n != 0 || c.cpu != 0 {
		t.Errorf("no trace: %+v", c)
	}
}
