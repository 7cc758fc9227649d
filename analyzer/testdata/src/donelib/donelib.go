// Package donelib's worker hands the item to a base controller of
// another package, which calls Done: the analyzer cannot see it do so,
// and must not insert a second Done.
package donelib

import (
	"example.com/analyzertest/src/donebase"
)

type C struct {
	base *donebase.Base
}

func (c *C) process() bool {
	item, quit := c.base.Queue.Get() // want `the item of c.base.Queue.Get escapes where it is handed to c.base.Finish, code queuefix does not analyse whose receiver holds a work queue`
	if quit {
		return false
	}
	c.base.Finish(item, c.sync(item.(string)))
	return true
}

func (c *C) sync(name string) error { return nil }
