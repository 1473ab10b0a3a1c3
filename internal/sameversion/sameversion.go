// Package sameversion runs the rounds of a Get that must return the bytes
// and the info of one version of an object, for stores where they take
// two requests (the attributes, then the bytes) between which a writer may
// replace the object. How a round tells that both answers belong to the
// same version is the driver's (GCS compares generations, Azure sends
// If-Match); how often and how fast rounds are repeated is decided here,
// once.
package sameversion

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Attempts is the most rounds Get runs.
const Attempts = 10

// maxPause caps the pause before a round.
const maxPause = 50 * time.Millisecond

// Round is one round of a Get, the driver's part: it reads the
// attributes, opens the range of opts (validated), and returns the reader
// and the info of the object with done set when both belong to one
// version. When the object was replaced, removed or shrunk between its
// requests, it returns done false and no error, and has released whatever
// it opened; with an error it returns no reader.
type Round func(ctx context.Context, key string, opts backend.GetOptions) (rc io.ReadCloser, info backend.ObjectInfo, done bool, err error)

// Get is the Backend.Get of a driver whose rounds are round. It checks
// the arguments and the backend with guard before any request, then runs
// round until it is done or fails, at most Attempts times, and returns
// what the last round returned. Before each round but the first, it
// pauses for a random time that grows with the round (at most 50ms), so
// that a reader does not keep meeting the same writer in lockstep.
//
// Errors are *backend.Error values for "get" and key: guard's; round's
// error as it returned it; ctx's error when ctx ends before or between
// rounds; and ErrServerBusy when the object was replaced during every
// round.
func Get(ctx context.Context, guard *backend.Guard, key string, opts backend.GetOptions, round Round) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := guard.Get(ctx, key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	for attempt := range Attempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
		}
		rc, info, done, err := round(ctx, key, opts)
		if err != nil {
			return nil, backend.ObjectInfo{}, err
		}
		if done {
			return rc, info, nil
		}
	}
	return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrServerBusy,
		fmt.Errorf("the object was replaced during each of %d attempts to read it", Attempts))
}

// pause waits a random time that grows with attempt, at most maxPause, or
// until ctx ends.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(min(time.Millisecond<<attempt, maxPause)))) + 1
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d): // an unreferenced timer is collected (Go 1.23)
		return nil
	}
}
