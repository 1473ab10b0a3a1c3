package backend_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
)

// Hooks compose: each WithAttemptHook adds one, every one is called in
// the order they were added, and a context derived from another keeps
// the other's hooks without changing them.
func TestAttemptHooksCompose(t *testing.T) {
	var got []string
	hook := func(name string) backend.AttemptHook {
		return func(ev backend.AttemptEvent) { got = append(got, name+":"+ev.Kind.String()+":"+ev.Op) }
	}
	ctx := context.Background()
	assert.Empty(t, backend.AttemptHooks(ctx))
	backend.ReportAttempt(ctx, backend.AttemptEvent{Kind: backend.AttemptRetry}) // no hooks: nothing happens
	assert.Equal(t, ctx, backend.WithAttemptHook(ctx, nil), "a nil hook adds nothing")

	outer := backend.WithAttemptHook(ctx, hook("metrics"))
	inner := backend.WithAttemptHook(context.WithValue(outer, struct{}{}, 1), hook("tracing"))
	sibling := backend.WithAttemptHook(outer, hook("logging"))
	assert.Len(t, backend.AttemptHooks(inner), 2)

	backend.ReportAttempt(inner, backend.AttemptEvent{Kind: backend.AttemptRetry, Op: "put"})
	backend.ReportAttempt(sibling, backend.AttemptEvent{Kind: backend.AttemptFailover, Op: "get"})
	backend.ReportAttempt(outer, backend.AttemptEvent{Kind: backend.AttemptEndpointDown, Op: "stat"})
	assert.Equal(t, []string{
		"metrics:retry:put", "tracing:retry:put",
		"metrics:failover:get", "logging:failover:get",
		"metrics:endpoint-down:stat",
	}, got)
}

func TestAttemptKindString(t *testing.T) {
	for k, want := range map[backend.AttemptKind]string{
		backend.AttemptRetry: "retry", backend.AttemptFailover: "failover",
		backend.AttemptEndpointDown: "endpoint-down", backend.AttemptEndpointUp: "endpoint-up",
		backend.AttemptResolve: "resolve", 0: "unknown",
	} {
		assert.Equal(t, want, k.String())
	}
}
