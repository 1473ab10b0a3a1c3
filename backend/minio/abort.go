package minio

import (
	"context"
	"errors"
	"fmt"
	"time"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// abortTimeout bounds the abort of a failed multipart upload, retries
// included. The abort runs even when the caller's context is what ended
// the upload.
const abortTimeout = time.Minute

// Backoff of the abort's retries: from abortFirstDelay, doubling up to
// abortMaxDelay.
const (
	abortFirstDelay = 100 * time.Millisecond
	abortMaxDelay   = 2 * time.Second
)

// abort aborts a multipart upload with a context of its own, bounded by
// abortTimeout, so that no parts are left behind.
//
// A failed upload often failed because the server went away (killed,
// restarting, unreachable), and then the first abort fails too. Such a
// transient failure (ErrUnavailable, ErrServerBusy) is retried with
// backoff until abortTimeout has passed since the first try, on a
// goroutine of the driver: Put returns at once (the failover layer can
// go on with another endpoint rather than wait for this one to come
// back), and its error says that the abort goes on. Close stops such
// retries. Any other failure is final and returned.
func (d *Driver) abort(ctx context.Context, key, id string) error {
	deadline := time.Now().Add(abortTimeout)
	actx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	err := d.abortOnce(actx, key, id)
	cancel()
	if err == nil {
		return nil
	}
	if transientAbort(err) && d.bg.Go(func(stop context.Context) {
		d.retryAbort(stop, deadline, key, id)
	}) {
		return fmt.Errorf("aborting the multipart upload %s failed, and is retried in the background for up to %v (if it still fails, its parts stay until the bucket's lifecycle removes them): %w", id, abortTimeout, err)
	}
	return fmt.Errorf("aborting the multipart upload %s also failed, and its parts stay until the bucket's lifecycle removes them: %w", id, err)
}

// abortOnce sends one AbortMultipartUpload; an upload the server does
// not know (NoSuchUpload) is gone, which is success.
func (d *Driver) abortOnce(ctx context.Context, key, id string) error {
	err := d.core.AbortMultipartUpload(ctx, d.bucket, key, id)
	if err == nil || minio.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return err
}

// retryAbort retries the abort with backoff until it succeeds, fails for
// good, deadline passes or stop ends (Close).
func (d *Driver) retryAbort(stop context.Context, deadline time.Time, key, id string) {
	ctx, cancel := context.WithDeadline(stop, deadline)
	defer cancel()
	timer := time.NewTimer(abortFirstDelay)
	defer timer.Stop()
	delay := abortFirstDelay
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if err := d.abortOnce(ctx, key, id); err == nil || !transientAbort(err) {
			return
		}
		delay = min(2*delay, abortMaxDelay)
		timer.Reset(delay)
	}
}

// transientAbort reports whether a failed abort may succeed later: the
// server could not be reached, or was busy.
func transientAbort(err error) bool {
	k := kindOf(err)
	return errors.Is(k, backend.ErrUnavailable) || errors.Is(k, backend.ErrServerBusy)
}
