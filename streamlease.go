package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// StreamWriteOption tunes PutStreamObject.
type StreamWriteOption func(*streamWriteOptions)

type streamWriteOptions struct {
	lease time.Duration
}

// MinLease is the shortest lease WithLease accepts: stores keep
// modification times to the second.
const MinLease = 3 * time.Second

// WithLease makes the writer exclusive: it refuses to take over a stream
// whose writer renewed its lease less than d ago (ErrExist, "held by a
// live writer"), and while it is open it renews its own lease every d/3 by
// rewriting the stream's marker (one Stat and one Put), so other WithLease
// writers leave it alone. A writer whose lease was last renewed more than
// d ago is taken for dead and taken over, as without the option. The lease
// is the marker's modification time as the store records it, so the
// clocks of the writers' hosts must agree with the store's to well within
// d/3. d must be at least MinLease. Writers without the option still
// resume any stream, as PutStreamObject always does. The renewals run in
// one goroutine that Close, or the end of the writer's ctx, stops: close
// every WithLease writer.
func WithLease(d time.Duration) StreamWriteOption {
	return func(o *streamWriteOptions) { o.lease = d }
}

func buildStreamWriteOptions(op, name string, opts []StreamWriteOption) (streamWriteOptions, error) {
	var o streamWriteOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.lease != 0 && o.lease < MinLease {
		return o, backend.NewError(op, name, ErrInvalidArgument,
			fmt.Errorf("lease %s is shorter than MinLease (%s): stores keep modification times to the second", o.lease, MinLease))
	}
	return o, nil
}

// refuseLiveLease returns ErrExist when the marker (info) was renewed
// within the lease: its writer is alive.
func (o streamWriteOptions) refuseLiveLease(name string, marker backend.ObjectInfo) error {
	if o.lease == 0 {
		return nil
	}
	age := time.Since(marker.LastModified)
	if age >= o.lease {
		return nil
	}
	return backend.NewError("put stream", name, ErrExist, fmt.Errorf(
		"the stream is held by a live writer: its marker was renewed %s ago, within the lease of %s; try again after the lease ends, or open without WithLease to take it over",
		age.Round(time.Millisecond), o.lease))
}

// lease is the goroutine that renews a WithLease writer's marker.
type lease struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// startLease renews the marker every d/3 until the writer closes or its
// context ends.
func (w *streamWriter) startLease(d time.Duration) {
	ctx, cancel := context.WithCancel(w.ctx)
	l := &lease{cancel: cancel, done: make(chan struct{})}
	w.lease = l
	go func() {
		defer close(l.done)
		t := time.NewTicker(d / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := w.renew(ctx); err != nil {
				if ctx.Err() == nil {
					w.c.log.Warn("objstore: could not renew the lease of a stream writer", "stream", w.keys.name, "err", err)
				}
				if errors.Is(err, ErrNotFound) {
					return // the stream was closed or removed by someone else
				}
			}
		}
	}()
}

// renew rewrites the marker if it is still there (a marker that another
// writer removed is not brought back, but for the instant between the Stat
// and the Put).
func (w *streamWriter) renew(ctx context.Context) error {
	if _, err := w.c.statMarker(ctx, w.keys); err != nil {
		return err
	}
	data := []byte(w.markerData)
	_, err := w.c.b.Put(ctx, w.keys.marker, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), Metadata: w.meta})
	return err
}

// stop ends the renewals and waits for the goroutine; nil-safe and
// idempotent.
func (l *lease) stop() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		l.cancel()
		<-l.done
	})
}
