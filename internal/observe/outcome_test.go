package observe_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

func TestOutcome(t *testing.T) {
	wrapped := func(kind error) error {
		return fmt.Errorf("layer: %w", backend.NewError("get", "k", kind, errors.New("cause")))
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, observe.OutcomeOK},
		{wrapped(backend.ErrNotFound), observe.OutcomeNotFound},
		{wrapped(backend.ErrExist), observe.OutcomeExist},
		{wrapped(backend.ErrInvalidKey), observe.OutcomeInvalid},
		{wrapped(backend.ErrInvalidArgument), observe.OutcomeInvalid},
		{wrapped(backend.ErrTooLarge), observe.OutcomeInvalid},
		{wrapped(backend.ErrUnavailable), observe.OutcomeUnavailable},
		{wrapped(backend.ErrServerBusy), observe.OutcomeBusy},
		{context.Canceled, observe.OutcomeCanceled},
		{fmt.Errorf("put: %w", context.DeadlineExceeded), observe.OutcomeCanceled},
		{wrapped(backend.ErrPermission), observe.OutcomeError},
		{wrapped(backend.ErrClosed), observe.OutcomeError},
		{wrapped(backend.ErrNotSupported), observe.OutcomeError},
		{errors.New("unclassified"), observe.OutcomeError},
		// A driver reports a transport deadline as ErrUnavailable: the
		// store's failure wins over the context error it also wraps.
		{backend.NewError("get", "k", backend.ErrUnavailable, context.DeadlineExceeded), observe.OutcomeUnavailable},
	} {
		assert.Equal(t, c.want, observe.Outcome(c.err), "%v", c.err)
	}
}

func TestName(t *testing.T) {
	assert.Equal(t, "mem", observe.Name(named{name: "mem"}))
	assert.Equal(t, "minio://AKIA:xxxxx@127.0.0.1:9000/b", observe.Name(named{name: "minio://AKIA:secret@127.0.0.1:9000/b"}))
	assert.Equal(t, "observe_test.unnamed", observe.Name(unnamed{}))
}

// named is a backend whose String() is name.
type named struct {
	backend.Backend
	name string
}

func (n named) String() string { return n.name }

type unnamed struct{ backend.Backend }
