package logging_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper keeps the Backend contract over mem, logging everything.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		b := logging.New(mem.New(), logger)
		t.Cleanup(func() { require.NoError(t, b.Close()) })
		return b
	})
}
