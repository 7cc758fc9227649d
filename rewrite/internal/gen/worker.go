package gen

import "fmt"

// item is the variable Get assigns; the worker converts it to key.
func (e *emitter) item() (name, typ string) {
	if e.s.Legacy {
		return "obj", "interface{}"
	}
	return "key", "string"
}

func (e *emitter) emitWorker() {
	item, typ := e.item()
	head := fmt.Sprintf(`func (c *Controller) processNextItem() bool {
	%s, quit := c.queue.Get()
	if quit {
		return false
	}
`, item)
	var body string
	switch e.s.Worker {
	case "flat", "loop":
		body = fmt.Sprintf("%s%s%s}", e.deferDone(item), e.prelude(retTrue), e.decision(retTrue))
	case "closure":
		body = fmt.Sprintf(`err := func(%[1]s %[2]s) error {
		%[5]s%[3]s%[4]s}(%[1]s)
	if err != nil {
		utilruntime.HandleError(err)
	}
	return true
}`, item, typ, e.prelude(retNil), e.decision(retNil), e.deferDone(item))
	case "doneend":
		done := fmt.Sprintf("c.queue.Done(%s)\n", item)
		if e.s.Done == "none" {
			done = ""
		}
		// The invalid item (only with done=early) returns before the Done.
		body = fmt.Sprintf("%s%s%sreturn true\n}", e.prelude(ret{ok: "return true"}), e.decision(retNone), done)
	case "escape":
		body = fmt.Sprintf("go func() {\n%s%s%s}()\nreturn true\n}", e.deferDone(item), e.prelude(retVoid), e.decision(retVoid))
	case "split":
		body = e.split(item, typ)
	}
	e.add("%s%s", head, body)
}

// split writes a worker whose Done, and maybe outcome, sit in a helper.
func (e *emitter) split(item, typ string) string {
	if e.s.Outcome == "enum" {
		conv := ""
		if e.s.Legacy {
			conv = "key := obj.(string)\n"
		}
		e.add("// process syncs key and says what to do next.\nfunc (c *Controller) process(key string) state {\n%sreturn c.sync(key)\n}", e.deferDone("key"))
		return fmt.Sprintf("%sswitch c.process(key) {\n%s}\nreturn true\n}", conv, e.enumCases())
	}
	e.add("func (c *Controller) process(%[1]s %[2]s) {\n%[5]s%[3]s%[4]s}", item, typ, e.prelude(retVoid), e.decision(retVoid), e.deferDone(item))
	return fmt.Sprintf("c.process(%s)\nreturn true\n}", item)
}

// deferDone defers Done of the item, unless the shape's worker never
// calls Done.
func (e *emitter) deferDone(item string) string {
	if e.s.Done == "none" {
		return ""
	}
	return fmt.Sprintf("defer c.queue.Done(%s)\n", item)
}

// prelude turns the item into key, dropping items it cannot use.
func (e *emitter) prelude(r ret) string {
	invalid := e.s.Invalid != "none"
	switch {
	case e.s.Legacy && !invalid:
		return "key := obj.(string)\n"
	case e.s.Legacy:
		return fmt.Sprintf(`key, ok := obj.(string)
if !ok {
	%sutilruntime.HandleError(fmt.Errorf("expected a string in the queue, got %%#v", obj))
	%s
}
`, forget("obj", e.s.Invalid == "forget"), r.ok)
	case invalid:
		return fmt.Sprintf(`if _, _, err := cache.SplitMetaNamespaceKey(key); err != nil {
	%sutilruntime.HandleError(err)
	%s
}
`, forget("key", e.s.Invalid == "forget"), r.ok)
	}
	return ""
}

// syncErr calls sync for an error, once or in a retry loop.
func (e *emitter) syncErr() string {
	if e.s.Worker == "loop" {
		return "var err error\nfor attempt := 0; attempt < 2; attempt++ {\nif err = c.sync(key); err == nil {\nbreak\n}\n}\n"
	}
	return "err := c.sync(key)\n"
}

func tail(r ret) string {
	if r.ok == "" {
		return ""
	}
	return r.ok + "\n"
}

// decision writes what the worker does with the key: store it (issue
// 19), sync it and act on the outcome.
func (e *emitter) decision(r ret) string {
	return e.storeKey() + e.decide(r)
}

// storeKey writes the worker's store of the key, on every path.
func (e *emitter) storeKey() string {
	switch e.s.Store {
	case "lookup":
		return "c.mu.Lock()\nc.synced[key] = time.Now()\nc.mu.Unlock()\n"
	case "parked":
		return "c.mu.Lock()\nc.parked[key] = true\nc.mu.Unlock()\n"
	}
	return ""
}

// emitStore writes the place the worker stores the key in and the code
// that reads it: lookups only, or a resync that drains it into the queue
// rate limited (the harness never calls Resync, so the runs are those of
// a worker without the store).
func (e *emitter) emitStore() {
	switch e.s.Store {
	case "lookup":
		e.add(`// lastSync says when key was last synced.
func (c *Controller) lastSync(key string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.synced[key]
	return t, ok && len(c.synced) > 0
}

// dropSynced forgets a deleted object's sync time.
func (c *Controller) dropSynced(key string) {
	c.mu.Lock()
	delete(c.synced, key)
	c.mu.Unlock()
}`)
	case "parked":
		e.add(`// Resync requeues the parked keys.
func (c *Controller) Resync() {
	go c.retryParked()
}

func (c *Controller) retryParked() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.parked {
		c.queue.AddRateLimited(key)
		delete(c.parked, key)
	}
}`)
	}
}

// decide writes what the worker does with the outcome of sync.
func (e *emitter) decide(r ret) string {
	s := e.s
	switch s.Outcome {
	case "switch":
		return e.syncErr() + e.errSwitch() + tail(r)
	case "handleerr":
		e.emitHandleErr(true)
		return e.syncErr() + "c.handleErr(err, key)\n" + tail(r)
	case "onerror":
		e.emitHandleErr(false)
		return e.syncErr() + fmt.Sprintf("if err != nil {\nc.handleErr(err, key)\n%s\n}\n", r.fail) + forget("key", s.Success) + tail(r)
	case "enum":
		return fmt.Sprintf("switch c.sync(key) {\n%s}\n", e.enumCases()) + tail(r)
	case "settle":
		e.emitSettle()
		return fmt.Sprintf("switch c.settle(key) {\ncase fateSettled:\ncase fateRetry:\n%s}\n", e.retry()) + tail(r)
	case "bool":
		return "if c.sync(key) {\n" + e.failure() + "}" + e.elseForget() + "\n" + tail(r)
	}
	if s.Style == "chain" {
		return e.syncErr() + "if err != nil {\n" + e.chainFailure() + "}" + e.elseForget() + "\n" + tail(r)
	}
	return e.syncErr() + e.returnsFailure(r) + forget("key", s.Success) + tail(r)
}

func (e *emitter) elseForget() string {
	if !e.s.Success {
		return ""
	}
	return " else {\n" + forget("key", true) + "}"
}

func (e *emitter) chainFailure() string {
	if e.s.Perm == "retry" {
		return e.failure()
	}
	return fmt.Sprintf("if errors.Is(err, errPermanent) {\n%s} else {\n%s}\n", e.perm(), e.failure())
}

// returnsFailure handles failures with an early return on each branch.
func (e *emitter) returnsFailure(r ret) string {
	out := ""
	if e.s.Perm != "retry" {
		out = fmt.Sprintf("if errors.Is(err, errPermanent) {\n%s%s\n}\n", e.perm(), r.ok)
	}
	limit := ""
	if e.s.Limit {
		limit = fmt.Sprintf("if c.queue.NumRequeues(key) >= maxRetries {\n%s%s\n}\n", e.drop(), r.ok)
	}
	return out + fmt.Sprintf("if err != nil {\n%s%s%s\n}\n", limit, e.retry(), r.fail)
}

// errSwitch is a tagless switch on the sync error.
func (e *emitter) errSwitch() string {
	out := "switch {\ncase err == nil:\n" + forget("key", e.s.Success)
	if e.s.Perm != "retry" {
		out += "case errors.Is(err, errPermanent):\n" + e.perm()
	}
	if e.s.Limit {
		out += "case c.queue.NumRequeues(key) < maxRetries:\n" + e.retry() + "default:\n" + e.drop()
	} else {
		out += "default:\n" + e.retry()
	}
	return out + "}\n"
}

func (e *emitter) enumCases() string {
	out := "case stateSuccess:\n" + forget("key", e.s.Success) + "case stateRetry:\n" + e.failure()
	if e.s.Perm != "retry" {
		out += "case stateGiveUp:\n" + e.perm()
	}
	return out
}

// emitSettle writes settle, which a worker calls in a switch tag: it
// syncs the key and ends the key's retry cycle itself (Forget, a drop,
// AddAfter), or returns fateRetry for the worker to requeue it.
func (e *emitter) emitSettle() {
	out := "err := c.sync(key)\nif err == nil {\n" + forget("key", e.s.Success) + "return fateSettled\n}\n"
	if e.s.Perm != "retry" {
		out += "if errors.Is(err, errPermanent) {\n" + e.perm() + "return fateSettled\n}\n"
	}
	if e.s.Limit {
		out += "if c.queue.NumRequeues(key) >= maxRetries {\n" + e.drop() + "return fateSettled\n}\n"
	}
	e.add("// fate is what settle leaves to the worker.\ntype fate int\n\nconst (\nfateSettled fate = iota\nfateRetry\n)")
	e.add("// settle syncs key and ends its retry cycle, or says to retry it.\nfunc (c *Controller) settle(key string) fate {\n%sreturn fateRetry\n}", out)
}

// emitHandleErr writes the handleErr helper; withNil: it is called on
// success too and returns early on a nil error.
func (e *emitter) emitHandleErr(withNil bool) {
	out := ""
	if withNil {
		out = "if err == nil {\n" + forget("key", e.s.Success) + "return\n}\n"
	}
	if e.s.Perm != "retry" {
		out += "if errors.Is(err, errPermanent) {\n" + e.perm() + "return\n}\n"
	}
	if e.s.Limit {
		out += "if c.queue.NumRequeues(key) < maxRetries {\n" + e.retry() + "return\n}\n" + e.drop()
	} else {
		out += e.retry()
	}
	e.add("func (c *Controller) handleErr(err error, key string) {\n%s}", out)
}

// emitSync writes sync, whose outcome the harness scripts per item.
func (e *emitter) emitSync() {
	next := "switch c.env.Next() {\ncase harness.Transient:\nreturn %s\ncase harness.Permanent:\nreturn %s\n}\nreturn %s\n"
	switch e.s.Outcome {
	case "enum":
		giveUp := "stateGiveUp"
		if e.s.Perm == "retry" {
			giveUp = "stateRetry"
		}
		// Every state has its case: a switch that misses one has a path
		// where no case matches, and Forget has no place of its own there.
		consts := "stateSuccess state = iota\nstateRetry\n"
		if e.s.Perm != "retry" {
			consts += "stateGiveUp\n"
		}
		e.add("// state is what a sync tells the worker to do.\ntype state int\n\nconst (\n%s)", consts)
		e.add("// sync reconciles key; the harness scripts its outcome.\nfunc (c *Controller) sync(key string) state {\n"+next+"}", "stateRetry", giveUp, "stateSuccess")
	case "bool":
		e.add("// sync reconciles key and reports whether to retry; the harness scripts its outcome.\nfunc (c *Controller) sync(key string) (retry bool) {\n"+next+"}", "true", "true", "false")
	default:
		e.add("// sync reconciles key; the harness scripts its outcome.\nfunc (c *Controller) sync(key string) error {\n"+next+"}", "errTransient", "errPermanent", "nil")
	}
}

// emitCR writes controller-runtime handlers.
func (e *emitter) emitCR() {
	const q = "q workqueue.TypedRateLimitingInterface[reconcile.Request]"
	enq := func(obj string) string {
		switch e.s.Enqueue {
		case "add":
			return fmt.Sprintf("q.Add(request(%s))\n", obj)
		case "helper":
			return fmt.Sprintf("enqueueRequest(q, %s)\n", obj)
		}
		return e.site("q", "request("+obj+")", "change", true)
	}
	e.add("func request(obj client.Object) reconcile.Request {\nreturn reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)}\n}")
	var h string
	switch e.s.Handler {
	case "crtype":
		h = "mapper{}"
		e.add("// mapper is a handler type of its own.\ntype mapper struct{}")
		e.add("func (mapper) Create(ctx context.Context, e event.CreateEvent, %s) {\n%s}", q, enq("e.Object"))
		e.add("func (mapper) Update(ctx context.Context, e event.UpdateEvent, %s) {\n%s}", q, enq("e.ObjectNew"))
		e.add("func (mapper) Delete(ctx context.Context, e event.DeleteEvent, %s) {\n%s}", q, enq("e.Object"))
		e.add("func (mapper) Generic(ctx context.Context, e event.GenericEvent, %s) {\n%s}", q, enq("e.Object"))
	default:
		h = fmt.Sprintf(`handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, %[1]s) {
			%[2]s},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, %[1]s) {
			%[3]s},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, %[1]s) {
			%[4]s},
	}`, q, enq("e.Object"), enq("e.ObjectNew"), enq("e.Object"))
	}
	if e.s.Enqueue == "helper" {
		e.add("func enqueueRequest(%s, obj client.Object) {\n%s}", q, e.site("q", "request(obj)", "change", true))
	}
	e.add("// Build is the harness's entry point.\nfunc Build(env *harness.Env) harness.Parts {\nreturn harness.Parts{CR: %s}\n}", h)
}
