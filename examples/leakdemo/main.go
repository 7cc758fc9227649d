// Command leakdemo runs a legacy controller before and after queuefix side by
// side, under the same event stream, and shows what the rate limiter keeps.
//
//	go run . [-items pointer|string] [-memlimit 256MiB] [-duration 90s] [-rate 200] [-plot FILE.png]
//
// Each controller runs in its own child process (the same binary, re-run
// with -child), so that the memory figures of one do not include the other,
// and a watchdog kills a child whose resident memory crosses -memlimit, as a
// container's memory limit would.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

type options struct {
	items    string
	memlimit uint64 // bytes; 0: no cap
	duration time.Duration
	rate     float64
	workers  int
	fail     float64
	objects  int
	seed     uint64
	json     bool
	plot     string

	child string // run this controller and print samples (internal)
	start int64  // Unix ns at which the children start sending (internal)
}

// hidden flags are for the parent to talk to its children.
var hidden = map[string]bool{"child": true, "start": true}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if o.child != "" {
		// The controllers log every failed sync; the table shows enough.
		// klog wants this before any goroutine logs.
		klog.SetLogger(logr.Discard())
		err = runChild(o, stdout)
	} else {
		err = runParent(o, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "leakdemo: %v\n", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("leakdemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.memlimit = 256 * mib
	fs.StringVar(&o.items, "items", "pointer", "work items: pointer (a new *key per event, holding the object) or string (namespace/name keys)")
	fs.Var(sizeFlag{&o.memlimit}, "memlimit", "kill a controller whose resident memory crosses `SIZE` (KiB, MiB, GiB; 0: no cap)")
	fs.DurationVar(&o.duration, "duration", 90*time.Second, "how long to send events")
	fs.Float64Var(&o.rate, "rate", 200, "events per second (the default limiter's bucket allows 10)")
	fs.IntVar(&o.workers, "workers", 2, "workers per controller")
	fs.Float64Var(&o.fail, "fail", 0.02, "fraction of keys whose first sync fails")
	fs.IntVar(&o.objects, "objects", 100, "live objects to keep around while others are created and deleted")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the event stream and of the failing keys")
	fs.BoolVar(&o.json, "json", false, "print the raw series as JSON instead of the table")
	fs.StringVar(&o.plot, "plot", "", "write a plot to `FILE`.png or FILE.svg")
	fs.StringVar(&o.child, "child", "", "run one controller: leaky or fixed")
	fs.Int64Var(&o.start, "start", 0, "Unix ns at which to start sending events")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := o.check(fs.NArg()); err != nil {
		fmt.Fprintf(stderr, "leakdemo: %v\n", err)
		fs.Usage()
		return o, err
	}
	return o, nil
}

func (o options) check(nargs int) error {
	switch {
	case nargs != 0:
		return errors.New("no arguments expected")
	case o.duration < time.Second:
		return errors.New("-duration must be at least 1s")
	case o.rate <= 0 || o.workers < 1 || o.objects < 1:
		return errors.New("-rate, -workers and -objects must be positive")
	case o.fail < 0 || o.fail > 1:
		return errors.New("-fail must be a fraction between 0 and 1")
	case controllers[o.items] == nil:
		return fmt.Errorf("-items %q: want pointer or string", o.items)
	case o.child != "" && controllers[o.items][o.child] == nil:
		return fmt.Errorf("-child %q: want leaky or fixed", o.child)
	}
	if ext := filepath.Ext(o.plot); o.plot != "" && ext != ".png" && ext != ".svg" {
		return fmt.Errorf("-plot %s: want a .png or .svg file", o.plot)
	}
	return nil
}

// usage prints the flags a person uses, not the internal ones.
func usage(fs *flag.FlagSet) {
	out := fs.Output()
	fmt.Fprintf(out, "usage: leakdemo [flags]\n\n"+
		"Runs the legacy controller (leaky) and its queuefix rewrite (fixed) side by side\n"+
		"under the same event stream, each in its own process under a memory cap, and\n"+
		"prints, each second, what their queues keep and how much memory they use.\n\n")
	visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	visible.SetOutput(out)
	fs.VisitAll(func(f *flag.Flag) {
		if hidden[f.Name] {
			return
		}
		visible.Var(f.Value, f.Name, f.Usage)
		visible.Lookup(f.Name).DefValue = f.DefValue
	})
	visible.PrintDefaults()
}
