package objstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// The optional powers of a backend (see backend/capabilities.go). Each
// method finds its capability with backend.As, through any middleware, and
// returns ErrNotSupported when the backend does not have it.

// Health reports the health of every endpoint behind the client's backend.
func (c *Client) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	h, ok := backend.As[backend.HealthChecker](c.b)
	if !ok {
		return nil, notSupported("health", "", "health checks")
	}
	return h.Health(ctx)
}

// SetServiceLifecycle makes the store delete the objects under prefix
// once they are days old (an empty prefix: every object). For a stream,
// its chunks expire one by one, oldest first.
func (c *Client) SetServiceLifecycle(ctx context.Context, prefix string, days int) error {
	const op = "set-expiry" // the name the drivers and wrappers give it
	if err := backend.ValidatePrefix(op, prefix); err != nil {
		return err
	}
	if days <= 0 {
		return backend.NewError(op, prefix, ErrInvalidArgument, fmt.Errorf("days %d is not positive", days))
	}
	l, ok := backend.As[backend.Lifecycler](c.b)
	if !ok {
		return notSupported(op, prefix, "lifecycle rules")
	}
	return l.SetExpiry(ctx, prefix, days)
}

func notSupported(op, key, what string) error {
	return backend.NewError(op, key, ErrNotSupported, errors.New("the backend has no "+what))
}
