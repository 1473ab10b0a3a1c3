package s3core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/objstore-dev/objstore/backend"
)

// The key-conflict check. MinIO stores both "a" and "a/b" when asked to,
// but its listings never show an object whose key lies under the key of
// another object: with "a" stored, "a/b" can be read but is missing from
// every listing (and so from prefix removals and stream readers). AWS S3
// lists both; versitygw and the fs driver refuse the second key. So on
// MinIO a put, copy or compose refuses, with ErrExist, a key that is an
// ancestor or a descendant of an existing object: nothing is stored that
// a listing cannot see.
//
// The check is one HEAD per ancestor ("a" and "a/b" for "a/b/c") and one
// one-key LIST of "key/", sent together before the key is written (once
// it is an object, MinIO's listings hide what lies below it, so the LIST
// must come first). Replacing an object needs no check (see putChecked):
// an overwrite of a key this driver wrote is one request. A multipart
// upload runs the check beside its parts and waits for it before the
// completion. Two puts that race (one of "a", one of "a/b") can both pass
// the check.

// Prober answers the check's questions. A driver that does not need the
// check (a server that lists nested keys, or a Config that turns it off)
// answers false to CheckConflicts.
type Prober interface {
	// CheckConflicts reports whether puts must pass the check.
	CheckConflicts() bool
	// Exists reports whether an object has the key (a HEAD), or the
	// driver's *backend.Error.
	Exists(ctx context.Context, key string) (bool, error)
	// The one-key LIST (firstUnder, list.go).
	Lister
}

// maxConflictChecks bounds the requests of one check in flight, for keys
// of many segments.
const maxConflictChecks = 8

// CheckConflicts returns an ErrExist error (of op) when key cannot be
// stored without hiding an object from listings, or the error of a check.
func CheckConflicts(ctx context.Context, p Prober, op, key string) error {
	var (
		mu       sync.Mutex
		conflict string // an existing object that conflicts
		failure  error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, maxConflictChecks)
	)
	report := func(other string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if other != "" && conflict == "" {
			conflict = other
		}
		if err != nil && failure == nil {
			failure = err
		}
	}
	run := func(f func()) {
		sem <- struct{}{}
		wg.Go(func() { defer func() { <-sem }(); f() })
	}
	run(func() {
		other, err := firstUnder(ctx, p, key+"/")
		report(other, err)
	})
	for i := 0; i < len(key); i++ {
		if key[i] != '/' {
			continue
		}
		ancestor := key[:i]
		run(func() {
			ok, err := p.Exists(ctx, ancestor)
			if ok {
				report(ancestor, nil)
			}
			report("", err)
		})
	}
	wg.Wait()
	switch {
	case conflict != "" && strings.HasPrefix(conflict, key+"/"):
		return backend.NewError(op, key, backend.ErrExist,
			fmt.Errorf("object %q exists below this key, and MinIO does not list objects below an object key", conflict))
	case conflict != "":
		return backend.NewError(op, key, backend.ErrExist,
			fmt.Errorf("object %q exists, and MinIO does not list objects below an object key", conflict))
	case failure != nil:
		return backend.NewError(op, key, nil, fmt.Errorf("checking for objects that nest with the key: %w", failure))
	}
	return nil
}

// checkConflicts runs the check of key when u needs it.
func checkConflicts(ctx context.Context, u any, op, key string) error {
	if pr, ok := u.(Prober); ok && pr.CheckConflicts() {
		return CheckConflicts(ctx, pr, op, key)
	}
	return nil
}

// checkAsync starts the check of p's key when u needs it; wait returns
// its result (nil when there is no check).
func checkAsync(ctx context.Context, u Uploader, p *Plan) (wait func() error) {
	pr, ok := u.(Prober)
	if !ok || !pr.CheckConflicts() {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() { done <- CheckConflicts(ctx, pr, p.Op, p.Key) }()
	return func() error { return <-done }
}

// putChecked sends a one-request put whose key must pass the conflict
// check. send is the put with the plan's options, which putChecked may
// make conditional.
//
// An object that exists has no conflict (nothing that nests with it can
// have been stored since it was), so a put that replaces one needs no
// check:
//
//   - with the caller's IfMatch, the object exists if the put succeeds;
//   - with the ETag this engine last stored under the key (hints), the put
//     is sent with that If-Match: one request, no check, while the object
//     is as this engine left it; a 412 means it exists in another version
//     and a plain put replaces it; a 404 that it is gone: a new key.
//
// A new key (or one the engine knows nothing of) is checked before it is
// sent. Not beside it: once the key is an object, MinIO's listings hide
// the objects below it, so the check's LIST must be answered before the
// PUT lands.
func (e *Engine) putChecked(ctx context.Context, u Uploader, p *Plan, send func(*Plan) (backend.ObjectInfo, error)) (backend.ObjectInfo, error) {
	pr, ok := u.(Prober)
	if !ok || !pr.CheckConflicts() || p.Opts.IfMatch != "" {
		return send(p)
	}
	if etag := e.hint(p.Key); etag != "" && !p.Opts.IfNotExist {
		known := *p
		known.Opts.IfMatch = etag
		info, err := send(&known)
		switch {
		case errors.Is(err, backend.ErrExist): // 412: another version
			info, err = send(p)
			fallthrough
		case !errors.Is(err, backend.ErrNotFound):
			e.remember(p.Key, info.ETag, err)
			return info, err
		}
		// Gone since: a new key.
	}
	if err := CheckConflicts(ctx, pr, p.Op, p.Key); err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := send(p)
	e.remember(p.Key, info.ETag, err)
	return info, err
}

// maxHints bounds the ETags the engine remembers.
const maxHints = 4096

// hint returns the ETag this engine last stored under key, "" if
// none.
func (e *Engine) hint(key string) string {
	e.hintsMu.Lock()
	defer e.hintsMu.Unlock()
	return e.hints[key]
}

// remember records the ETag of a successful put of key (forgets it after
// a failed one).
func (e *Engine) remember(key, etag string, err error) {
	e.hintsMu.Lock()
	defer e.hintsMu.Unlock()
	if err != nil || etag == "" {
		delete(e.hints, key)
		return
	}
	if e.hints == nil {
		e.hints = make(map[string]string)
	}
	if _, ok := e.hints[key]; !ok && len(e.hints) >= maxHints {
		for k := range e.hints { // drop one at random
			delete(e.hints, k)
			break
		}
	}
	e.hints[key] = etag
}
