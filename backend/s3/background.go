package s3

import "context"

// background runs f on a goroutine of the driver, with a context that
// ends at Close; Close waits for it. It returns false, and does not run
// f, once the driver is closed. (Its one user: the abort of a failed
// upload that goes on while the server is away, multipart.go.)
func (d *Driver) background(f func(stop context.Context)) bool {
	d.bgMu.Lock()
	defer d.bgMu.Unlock()
	if d.closed.Load() {
		return false
	}
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		f(d.bgCtx)
	}()
	return true
}

// stopBackground ends the goroutines of background and waits for them.
func (d *Driver) stopBackground() {
	d.bgMu.Lock() // no background call is between its check and its Add
	d.bgMu.Unlock()
	d.bgCancel()
	d.bg.Wait()
}
