package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain lets the end-to-end test run this test binary as the demo's
// children, which the parent starts with -child first.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{{"256MiB", 256 << 20}, {"1GiB", 1 << 30}, {"1.5KiB", 1536}, {"4096", 4096}, {"10B", 10}, {"0", 0}} {
		got, err := parseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if back, err := parseSize(formatSize(got)); err != nil || back != got {
			t.Errorf("parseSize(formatSize(%d)) = %d, %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "MiB", "256MB", "-1MiB", "lots"} {
		if n, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestReadRSSOfSelf(t *testing.T) {
	mem, err := readRSS("self")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if mem.now == 0 || mem.peak < mem.now {
		t.Errorf("readRSS(self) = %+v, want a resident size and a peak at least as large", mem)
	}
}

// TestWatchKillsOverTheCap starts a process and gives the watchdog a cap it
// is already over: the watchdog must kill it and say when, at what size.
func TestWatchKillsOverTheCap(t *testing.T) {
	if _, err := readRSS("self"); err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	c := &child{kind: "leaky", cmd: cmd, start: time.Now()}
	done := make(chan struct{})
	go func() { c.watch(1); close(done) }()
	err := cmd.Wait()
	<-done
	k := c.oom()
	if k == nil || err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("after the watchdog: exit %v, kill %+v; want the process killed and the kill recorded", err, k)
	}
	if k.rss <= 1 || k.at <= 0 || k.at > 10*time.Second || c.peakRSS() < k.rss {
		t.Errorf("kill = %+v, peak %d; want the resident size over the cap, a time, and a peak at least that size", k, c.peakRSS())
	}
}

// TestRunKillsTheLeakyChildOnly runs the demo for a few seconds, fast and
// under a small cap: the leaky controller's pointer items take it over the
// cap and the watchdog kills it; the fixed one runs to the end.
func TestRunKillsTheLeakyChildOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for 7s; skipped with -short")
	}
	if _, err := readRSS("self"); err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	png := filepath.Join(t.TempDir(), "run.png")
	var stdout, stderr bytes.Buffer
	args := []string{"-duration", "5s", "-rate", "1000", "-memlimit", "56MiB", "-plot", png}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("leakdemo %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, re := range []string{
		`OOM-killed at t=\d+\.\ds \(RSS \d+\.\d MiB\)`, // the table row of the kill
		`(?m)^\s+leaky\s+t=\d+\.\ds\s`,                 // the summary
		`(?m)^\s+fixed\s+never\s`,
		`(?m)^ +5 +\d+ \| +\| +0 `, // fixed still runs at 5s, leaky is gone
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Errorf("plot: %v", err)
	}
}
