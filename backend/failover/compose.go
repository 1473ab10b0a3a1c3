package failover

//go:generate go run ../../internal/observe/gen_compose.go -pkg failover -base core -func compose -out compose_gen.go

import (
	"context"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// core is what compose builds on: the methods of *Backend that every
// failover backend has, without Unwrap (the view that Unwrap returns is
// the end of the chain that backend.As walks) and without the optional
// capabilities, which compose adds.
//
// compose (compose_gen.go) is observe.Compose for this base, generated
// from the one list of capabilities in internal/observe/gen_compose.go.
type core interface {
	backend.Backend
	backend.KeyChecker
	fmt.Stringer
	fmt.GoStringer
}

// Unwrap returns b as backend.As sees it: the same operations, served by
// b with its retry rules, with exactly the optional capabilities of the
// endpoint backends, each forwarded with the retry rules too, and with
// BatchRemover and HealthChecker, which b always has. The result has no
// Unwrap of its own.
//
// The endpoints' capabilities are those of Config.Prototype; without
// one, those of the first endpoint backend opened, which New tries to
// open. Until one has opened (New found every endpoint unreachable),
// Unwrap has only BatchRemover and HealthChecker, and a wrapper made in
// that time (metrics.New, ...) keeps that answer: drivers set Prototype.
//
// *Backend itself has no Presigner, Lifecycler, Copier nor Composer: a
// type assertion could not tell whether the endpoints have them. Find
// them with backend.As, as the client and the wrappers do.
func (b *Backend) Unwrap() backend.Backend { return b.view.Load().b }

// view is what Unwrap returns, and whether it has the endpoints'
// capabilities yet.
type view struct {
	b       backend.Backend
	learned bool
}

// withCaps returns b with the capabilities in (served with the retry
// rules by capabilities), BatchRemover and HealthChecker.
func (b *Backend) withCaps(in observe.Caps) backend.Backend {
	x := capabilities{b}
	caps := in.ServedBy(x)
	caps.BatchRemover, caps.HealthChecker = x, x // with fallbacks of b's own
	return compose(b, caps)
}

// initCapabilities sets the view of New: from cfg.Prototype, or else
// without the optional capabilities until an endpoint backend opens
// (learn), and tries to open one now, in resolver order. An endpoint
// whose Open fails with a retryable error is marked down; any other Open
// error is left for the first request on it to return, as before.
func (b *Backend) initCapabilities(ctx context.Context) {
	if b.cfg.Prototype != nil {
		b.view.Store(&view{b: b.withCaps(observe.CapsOf(b.cfg.Prototype)), learned: true})
		return
	}
	b.view.Store(&view{b: b.withCaps(observe.Caps{})})
	open := b.cfg.Open
	b.cfg.Open = func(ctx context.Context, endpoint string) (backend.Backend, error) {
		be, err := open(ctx, endpoint)
		if err == nil && be != nil {
			b.learn(be)
		}
		return be, err
	}
	for _, e := range b.eps {
		octx, cancel := context.WithTimeout(ctx, b.cfg.AttemptTimeout)
		_, err := e.acquire(octx, b.cfg.Open)
		cancel()
		switch {
		case err == nil:
			e.release()
			return
		case ctx.Err() != nil:
			return
		case classify(err) != classPermanent:
			b.markDown(ctx, "open", "", e, err)
		}
	}
}

// learn sets the view from the first endpoint backend opened.
func (b *Backend) learn(be backend.Backend) {
	if b.view.Load().learned {
		return
	}
	b.viewMu.Lock()
	defer b.viewMu.Unlock()
	if !b.view.Load().learned {
		b.view.Store(&view{b: b.withCaps(observe.CapsOf(be)), learned: true})
	}
}
