package ratelimit

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// Defaults of the Options left zero.
const (
	DefaultBackoffBase   = 100 * time.Millisecond
	DefaultBackoffMax    = 30 * time.Second
	DefaultRetryAfterMax = time.Minute
)

// Limits are the rates of a Limiter; a zero field is no limit.
type Limits struct {
	Requests   float64 // requests per second
	Burst      int     // requests let through at once; 0: max(1, Requests)
	ReadBytes  float64 // bytes per second delivered by Get readers
	WriteBytes float64 // bytes per second read from Put readers
}

// Options tunes New and NewLimiter.
type Options struct {
	Limits
	// BackoffBase and BackoffMax shape the pause after busy answers that
	// carry no Retry-After.
	BackoffBase, BackoffMax time.Duration
	// RetryAfterMax caps the pause that a busy answer's Retry-After asks
	// for, so that one odd answer cannot stop every request for hours.
	RetryAfterMax time.Duration
	// Observer, if set, is told of waits and pauses.
	Observer Observer
}

// Observer receives the Limiter's events. Its methods must be safe for
// concurrent use and fast.
type Observer interface {
	// Waited is called after a call (op) or a body ("read", "write")
	// waited d for its tokens or for a pause.
	Waited(op string, d time.Duration)
	// Paused is called when a busy answer to op pauses every request for
	// d; retryAfter tells whether d came from the error's Retry-After.
	Paused(op string, d time.Duration, retryAfter bool)
}

// Stats are the totals of a Limiter since it was made.
type Stats struct {
	Waits      int64         // calls and body reads that waited
	Waited     time.Duration // their total wait
	Pauses     int64         // busy answers that paused requests
	PausedBy   time.Duration // the sum of those pauses
	RetryAfter int64         // pauses whose length came from the answer's Retry-After
}

// Limiter holds the buckets and the pause that the backends it wraps
// share.
type Limiter struct {
	opts     Options
	requests *rate.Limiter
	read     *rate.Limiter
	write    *rate.Limiter

	mu     sync.Mutex
	limits Limits
	until  time.Time // no request starts before
	busy   int       // busy answers in a row
	stats  Stats
}

// NewLimiter returns a Limiter with opts.
func NewLimiter(opts Options) *Limiter {
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = DefaultBackoffBase
	}
	if opts.BackoffMax < opts.BackoffBase {
		opts.BackoffMax = max(DefaultBackoffMax, opts.BackoffBase)
	}
	if opts.RetryAfterMax <= 0 {
		opts.RetryAfterMax = DefaultRetryAfterMax
	}
	l := &Limiter{
		opts:     opts,
		requests: rate.NewLimiter(rate.Inf, 1),
		read:     rate.NewLimiter(rate.Inf, 1),
		write:    rate.NewLimiter(rate.Inf, 1),
	}
	l.SetLimits(opts.Limits)
	return l
}

// New wraps inner with a new Limiter and returns both.
func New(inner backend.Backend, opts Options) (backend.Backend, *Limiter) {
	l := NewLimiter(opts)
	return l.Wrap(inner), l
}

// SetLimits changes the limits at once, also for calls waiting now.
func (l *Limiter) SetLimits(lim Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = lim
	burst := lim.Burst
	if burst <= 0 {
		burst = max(1, int(math.Ceil(lim.Requests)))
	}
	set(l.requests, lim.Requests, burst)
	set(l.read, lim.ReadBytes, byteBurst(lim.ReadBytes))
	set(l.write, lim.WriteBytes, byteBurst(lim.WriteBytes))
}

// Limits returns the current limits.
func (l *Limiter) Limits() Limits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits
}

// Stats returns the totals so far.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

func set(r *rate.Limiter, perSecond float64, burst int) {
	if perSecond <= 0 {
		r.SetLimit(rate.Inf)
		return
	}
	r.SetBurst(burst)
	r.SetLimit(rate.Limit(perSecond))
}

// byteBurst is the largest wait of a byte bucket: a tenth of a second's
// bytes, at least 4 KiB, so that a body flows in small steps.
func byteBurst(perSecond float64) int { return max(4<<10, int(perSecond/10)) }

// Wrap returns inner limited by l. The result has exactly the optional
// capabilities BatchRemover, HealthChecker, Presigner and Lifecycler of
// inner (found with backend.As), each limited, and Unwrap.
func (l *Limiter) Wrap(inner backend.Backend) backend.Backend {
	w := &wrapper{inner: inner, l: l, name: observe.Name(inner)}
	in := observe.CapsOf(inner)
	return observe.Compose(w, in.ServedBy(capabilities{w, in}))
}

// start waits for the pause and a request token.
func (l *Limiter) start(ctx context.Context, op, key string) error {
	begin := time.Now()
	l.mu.Lock()
	until := l.until
	l.mu.Unlock()
	if d := time.Until(until); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return backend.NewError(op, key, nil, ctx.Err())
		}
	}
	if err := l.requests.Wait(ctx); err != nil {
		return backend.NewError(op, key, nil, waitErr(ctx, err))
	}
	l.waited(op, time.Since(begin))
	return nil
}

// waitErr is the context's error when the wait ended with it, else err
// (a wait that could not fit in the deadline).
func waitErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (l *Limiter) waited(op string, d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	l.stats.Waits++
	l.stats.Waited += d
	l.mu.Unlock()
	if l.opts.Observer != nil {
		l.opts.Observer.Waited(op, d)
	}
}

// RetryAfter is the method an error in a busy answer's chain may have to
// say how long the store asked to wait. backend.RetryAfter finds it, and
// the RetryAfter field of a *backend.Error, which the drivers fill from
// the answer's Retry-After header.
type RetryAfter interface {
	RetryAfter() time.Duration
}

// done records the outcome of a call: a busy answer pauses every request.
func (l *Limiter) done(op string, err error) {
	if err == nil || !errors.Is(err, backend.ErrServerBusy) {
		if err == nil {
			l.mu.Lock()
			l.busy = 0
			l.mu.Unlock()
		}
		return
	}
	ra, fromHeader := backend.RetryAfter(err)
	var d time.Duration
	l.mu.Lock()
	l.busy++
	if fromHeader {
		d = min(ra, l.opts.RetryAfterMax)
		l.stats.RetryAfter++
	} else {
		d = l.opts.BackoffBase << min(l.busy-1, 30)
		if d > l.opts.BackoffMax || d <= 0 {
			d = l.opts.BackoffMax
		}
	}
	if u := time.Now().Add(d); u.After(l.until) {
		l.until = u
	}
	l.stats.Pauses++
	l.stats.PausedBy += d
	l.mu.Unlock()
	if l.opts.Observer != nil {
		l.opts.Observer.Paused(op, d, fromHeader)
	}
}

// limitedReader takes a token of its bucket per byte it delivers, before
// it delivers them.
type limitedReader struct {
	r   io.Reader
	ctx context.Context
	b   *rate.Limiter
	l   *Limiter
	dir string
}

func (r *limitedReader) Read(p []byte) (int, error) {
	if r.b.Limit() != rate.Inf && len(p) > r.b.Burst() {
		p = p[:r.b.Burst()]
	}
	n, err := r.r.Read(p)
	if n > 0 && r.b.Limit() != rate.Inf {
		begin := time.Now()
		if werr := r.b.WaitN(r.ctx, min(n, r.b.Burst())); werr != nil && err == nil {
			err = waitErr(r.ctx, werr)
		}
		r.l.waited(r.dir, time.Since(begin))
	}
	return n, err
}

type limitedBody struct {
	limitedReader
	c io.Closer
}

func (b *limitedBody) Close() error { return b.c.Close() }
