package phase

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/queuefix/queuefix/rewrite"
)

func TestPhases(t *testing.T) {
	start := time.Now()
	last := start
	opts := rewrite.Options{Dir: os.Getenv("QDIR"), Tests: true, Progress: func(s string) {
		fmt.Printf("%6.2fs (+%.2fs) %s\n", time.Since(start).Seconds(), time.Since(last).Seconds(), s)
		last = time.Now()
	}}
	res, err := rewrite.Run(opts, []string{"./..."})
	fmt.Printf("%6.2fs (+%.2fs) done %v %d\n", time.Since(start).Seconds(), time.Since(last).Seconds(), err, len(res.Findings))
}
