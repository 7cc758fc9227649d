// Command profile runs queuefix's engine, as queuefix -diff does, under
// the CPU profiler, and writes the heap profile taken when the live heap
// was largest (a profile at the end would show almost nothing: the
// analysis is garbage once rewrite.Run returns). queuefix itself has no
// profiling flags.
//
// Usage:
//
//	go run ./bench/profile -C dir -cpuprofile cpu.prof -memprofile mem.prof [-after-load] [-load=auto] [-rule list] [packages]
//
// Then: go tool pprof -top cpu.prof; go tool pprof -top mem.prof (live
// at the peak) or -sample_index=alloc_space (everything allocated). With
// -after-load, mem.prof.loaded and mem.prof.end are heap profiles taken
// once loaded and at the end: go tool pprof -sample_index=alloc_space
// -base mem.prof.loaded mem.prof.end shows what the engine allocates.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/queuefix/queuefix/rewrite"
)

func main() {
	dir := flag.String("C", ".", "module `dir` to run in")
	cpu := flag.String("cpuprofile", "cpu.prof", "write the CPU profile to `file`")
	mem := flag.String("memprofile", "mem.prof", "write the heap profile to `file`")
	afterLoad := flag.Bool("after-load", false, "start the CPU profile once the packages are loaded")
	load := flag.String("load", "auto", "where dependencies' types come from: auto, source or export (as queuefix -load)")
	rule := flag.String("rule", "", "the rules to run, as queuefix -rule (default: queuefix's)")
	flag.Parse()
	opts := rewrite.Options{Tests: true}
	mode, err := rewrite.ParseLoadMode(*load)
	if err == nil && *rule != "" {
		opts.Rules, err = rewrite.ParseRules(*rule)
	}
	if err == nil {
		opts.Load = mode
		err = run(*dir, *cpu, *mem, *afterLoad, opts, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(2)
	}
}

func run(dir, cpuFile, memFile string, afterLoad bool, opts rewrite.Options, patterns []string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	cpu, err := os.Create(cpuFile)
	if err != nil {
		return err
	}
	defer cpu.Close()
	opts.Dir = abs
	var profErr error
	if afterLoad {
		opts.Loaded = func() {
			profErr = writeHeap(memFile + ".loaded")
			if profErr == nil {
				profErr = pprof.StartCPUProfile(cpu)
			}
		}
	} else if err := pprof.StartCPUProfile(cpu); err != nil {
		return err
	}
	peak := watchHeap(250 * time.Millisecond)
	start := time.Now()
	res, err := rewrite.Run(opts, patterns)
	if profErr != nil {
		return profErr
	}
	if res == nil {
		pprof.StopCPUProfile()
		return err
	}
	n := 0
	for _, f := range res.Files {
		rel, _ := filepath.Rel(abs, f.Path)
		b, _ := io.Discard.Write(f.Diff(filepath.ToSlash(rel)))
		n += b
	}
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	prof, live := peak.stop()
	if afterLoad {
		if err := writeHeap(memFile + ".end"); err != nil {
			return err
		}
	}
	fmt.Printf("%d packages, %d findings, %d files, %d diff bytes in %s; peak heap %d MiB\n",
		res.Packages, len(res.Findings), len(res.Files), n, elapsed.Round(time.Millisecond), live>>20)
	return os.WriteFile(memFile, prof, 0o644)
}

// writeHeap writes the heap profile; its alloc_space counts everything
// allocated so far, so two of them, one the -base of the other, show what
// was allocated in between.
func writeHeap(file string) error {
	runtime.GC() // the profile shows the heap as of the last collection
	var b bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
		return err
	}
	return os.WriteFile(file, b.Bytes(), 0o644)
}

// A heapWatch keeps the heap profile taken when the heap was largest.
type heapWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  uint64
	prof []byte
}

// watchHeap samples the live heap every interval and takes a heap profile
// each time it grew by a tenth over the largest seen.
func watchHeap(interval time.Duration) *heapWatch {
	w := &heapWatch{done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w
}

func (w *heapWatch) sample() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	live := s[0].Value.Uint64()
	if live < w.max+w.max/10 {
		return
	}
	var b bytes.Buffer
	if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
		w.max, w.prof = live, b.Bytes()
	}
}

func (w *heapWatch) stop() ([]byte, uint64) {
	close(w.done)
	w.wg.Wait()
	return w.prof, w.max
}
