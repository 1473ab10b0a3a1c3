package s3core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// AbortTimeout bounds the abort of a failed multipart upload, retries
// included. The abort runs on a context detached from the caller's, which
// is often the one whose end failed the upload.
const AbortTimeout = time.Minute

// Backoff of the abort rounds: from abortFirstDelay, doubling up to
// abortMaxDelay.
const (
	abortFirstDelay = 100 * time.Millisecond
	abortMaxDelay   = 2 * time.Second
	// abortTries is the number of rounds made before Put returns while
	// the upload is still listed after its abort.
	abortTries = 5
)

// abort removes an upload so that no parts are left behind.
//
// An upload still listed after the abort (ErrStillListed: a part the
// server took before the abort brought it back) is aborted again, up to
// abortTries rounds, before Put returns. A failed upload often failed
// because the server went away (killed, restarting, unreachable), and
// then the abort fails too: such a transient failure (ErrUnavailable,
// ErrServerBusy, still listed) is retried with backoff on a goroutine of
// the driver until AbortTimeout has passed since the first round. Put
// returns at once (the failover layer can go on with another endpoint),
// and its error says that the abort goes on. The driver's Close stops
// such retries. Any other failure is final and returned.
func (e *Engine) abort(ctx context.Context, u Uploader, key, id string) error {
	deadline := time.Now().Add(AbortTimeout)
	actx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	var err error
	delay := abortFirstDelay
	for try := 1; ; try++ {
		if err = u.AbortUpload(actx, key, id); err == nil {
			return nil
		}
		if !errors.Is(err, ErrStillListed) || try == abortTries {
			break
		}
		select {
		case <-time.After(delay):
		case <-actx.Done():
			return actx.Err()
		}
		delay = min(2*delay, abortMaxDelay)
	}
	if transientAbort(err) && e.Background != nil && e.Background.Go(func(stop context.Context) {
		retryAbort(stop, deadline, u, key, id)
	}) {
		return fmt.Errorf("%w; the abort is retried in the background for up to %v", err, AbortTimeout)
	}
	return err
}

// retryAbort goes on with abort rounds until one succeeds or fails for
// good, deadline passes, or stop ends (the driver's Close).
func retryAbort(stop context.Context, deadline time.Time, u Uploader, key, id string) {
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
		if err := u.AbortUpload(ctx, key, id); err == nil || !transientAbort(err) {
			return
		}
		delay = min(2*delay, abortMaxDelay)
		timer.Reset(delay)
	}
}

// transientAbort reports whether a failed abort round may succeed later.
func transientAbort(err error) bool {
	return errors.Is(err, ErrStillListed) || errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy)
}
