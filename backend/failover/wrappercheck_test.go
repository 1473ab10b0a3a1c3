package failover_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/conformance"
)

// Failover over one endpoint whose backend is the inner one. It always
// has RemoveMany and Health (with fallbacks of its own: one Remove per
// key, a listing as probe) and CheckKey (Config.CheckKey, here forwarding
// as the drivers' do). Presigner, Lifecycler, Composer and Copier it has
// exactly when the inner backend has them, learned when New opens the
// endpoint: backend.As finds them through Unwrap (which returns the
// failover backend with those capabilities, each call retried, not the
// inner backend), never on *Backend itself.
func TestWrapperCompleteness(t *testing.T) {
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		b, err := failover.New(context.Background(), failover.Config{
			Resolve: func(context.Context) ([]string, error) { return []string{"only:1"}, nil },
			Open:    func(context.Context, string) (backend.Backend, error) { return inner, nil },
			CheckKey: func(op, key string) error {
				if kc, ok := inner.(backend.KeyChecker); ok {
					return kc.CheckKey(op, key)
				}
				return backend.ValidateKey(op, key)
			},
			BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
			ReprobeMin: time.Hour, ReprobeMax: time.Hour,
		})
		require.NoError(t, err)
		return b
	},
		conformance.Expect(conformance.BatchRemover, conformance.Provided),
		conformance.Expect(conformance.HealthChecker, conformance.Provided),
		conformance.Expect(conformance.KeyChecker, conformance.Provided),
		conformance.Expect(conformance.Presigner, conformance.Unwrapped),
		conformance.Expect(conformance.Lifecycler, conformance.Unwrapped),
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
