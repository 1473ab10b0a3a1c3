package logging_test

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Turn logging on for a client with WithMiddleware. At Info, successful
// operations and not-found answers stay quiet; a create-only put that
// loses is a Warn.
func Example() {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the output stable for this example
			}
			return a
		},
	}))
	client := objstore.New(mem.New(), objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
		return logging.New(b, logger)
	}))
	defer client.Close()

	opts := backend.PutOptions{Size: 4, IfNotExist: true}
	_, _ = client.PutObjectWith(ctx, "cap/one.pcap", strings.NewReader("data"), opts)
	_, _ = client.StatObject(ctx, "cap/missing.pcap")
	_, _ = client.PutObjectWith(ctx, "cap/one.pcap", strings.NewReader("data"), opts)
	// Output:
	// level=WARN msg="objstore: operation failed" op=put key=cap/one.pcap backend=mem outcome=exist size=4 error="objstore: put \"cap/one.pcap\": object already exists"
}
