package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
)

const mib = 1 << 20

// rss is a process's resident memory as the kernel counts it for an OOM
// kill: now and the highest it has been.
type rss struct {
	now, peak uint64 // bytes
}

// readRSS reads VmRSS and VmHWM from /proc/PID/status; pid "self" reads this
// process's own.
func readRSS(pid string) (rss, error) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return rss{}, err
	}
	var r rss
	var found int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return rss{}, fmt.Errorf("/proc/%s/status: bad %s line %q", pid, name, sc.Text())
		}
		if name == "VmRSS" {
			r.now = kb << 10
		} else {
			r.peak = kb << 10
		}
		found++
	}
	if found != 2 {
		return rss{}, fmt.Errorf("/proc/%s/status has no VmRSS and VmHWM lines", pid)
	}
	return r, nil
}

// liveHeap returns the bytes of heap objects that the last GC found live. It
// forces no GC, so the demo leaves the collector's pace as it would be.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sizeUnits are the suffixes -memlimit accepts, longest first.
var sizeUnits = []struct {
	suffix string
	bytes  uint64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}}

// parseSize parses a size such as 256MiB, 1GiB or 1048576.
func parseSize(s string) (uint64, error) {
	for _, u := range sizeUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || n < 0 {
			break
		}
		return uint64(n * float64(u.bytes)), nil
	}
	return 0, fmt.Errorf("bad size %q: want a number of bytes, KiB, MiB or GiB, such as 256MiB", s)
}

// formatSize prints a size the way parseSize reads it.
func formatSize(n uint64) string {
	for _, u := range sizeUnits[:3] {
		if n >= u.bytes && n%u.bytes == 0 {
			return fmt.Sprintf("%d%s", n/u.bytes, u.suffix)
		}
	}
	return strconv.FormatUint(n, 10)
}

// sizeFlag is a flag.Value holding a size in bytes.
type sizeFlag struct{ n *uint64 }

func (f sizeFlag) String() string {
	if f.n == nil {
		return ""
	}
	return formatSize(*f.n)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*f.n = n
	return nil
}
