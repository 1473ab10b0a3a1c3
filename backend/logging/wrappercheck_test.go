package logging_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend.
// Compose and Copy are not in observe.Caps: backend.As finds them through
// Unwrap, so they are not logged (a gap, declared here).
func TestWrapperCompleteness(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return logging.New(inner, logger)
	},
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
