// Package wait is a stub of k8s.io/apimachinery/pkg/util/wait for fast tests.
package wait

import "time"

// Until runs f every period until stopCh is closed.
func Until(f func(), period time.Duration, stopCh <-chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		default:
		}
		f()
		time.Sleep(period)
	}
}
