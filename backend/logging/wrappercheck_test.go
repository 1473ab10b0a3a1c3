package logging_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend,
// each forwarded and logged (Compose and Copy too).
func TestWrapperCompleteness(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return logging.New(inner, logger)
	})
}
