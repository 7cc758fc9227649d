// Package controller stubs the library constant the clone controller uses.
package controller

import "time"

const DefaultResyncPeriod = 15 * time.Minute
