package gocloudtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"

	"gocloud.dev/blob/driver"
	"gocloud.dev/blob/drivertest"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/gocloudtest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// store opens handles on namespaces of one driver for the harness.
type store struct {
	// fresh returns a function that opens a new handle on a new, empty
	// namespace; every call of that function opens the same namespace.
	fresh func(t *testing.T) func(ctx context.Context) (backend.Backend, error)
	// missing opens a handle on a namespace that does not exist, or is
	// nil when the driver has no such thing.
	missing func(ctx context.Context) (backend.Backend, error)
	// client is the HTTP client that fetches presigned URLs, if the
	// driver presigns.
	client *http.Client
}

// harness is drivertest's Harness over one namespace of a store.
type harness struct {
	open    func(ctx context.Context) (backend.Backend, error)
	missing func(ctx context.Context) (backend.Backend, error)
	client  *http.Client
	copy    bool
}

func (h *harness) MakeDriver(ctx context.Context) (driver.Bucket, error) {
	be, err := h.open(ctx)
	if err != nil {
		return nil, err
	}
	return gocloudtest.New(be), nil
}

func (h *harness) MakeDriverForNonexistentBucket(ctx context.Context) (driver.Bucket, error) {
	if h.missing == nil {
		return nil, nil
	}
	be, err := h.missing(ctx)
	if err != nil {
		return nil, err
	}
	return gocloudtest.New(be), nil
}

func (h *harness) HTTPClient() *http.Client         { return h.client }
func (h *harness) SupportsCopy() bool               { return h.copy }
func (h *harness) SupportsNonSlashDelimiters() bool { return false }
func (h *harness) Close()                           {}

// run runs drivertest on s. A subtest named in known (its name below
// RunConformanceTests, as t.Name() spells it) is skipped, with the rules
// it breaks as the reason. The subtest KnownFailures then runs the known
// ones in a child process and checks that each still fails, and only
// with messages of its rules: the list is neither stale nor a cover for
// another failure.
func run(t *testing.T, s store, known map[string][]rule) {
	root := t.Name() + "/"
	child := os.Getenv(envRunKnown) != ""
	drivertest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (drivertest.Harness, error) {
		name := strings.TrimPrefix(t.Name(), root)
		if rules, ok := known[name]; ok && !child {
			t.Skip("breaks objstore's documented rules: " + ruleDocs(rules))
		}
		open := s.fresh(t)
		be, err := open(ctx)
		if err != nil {
			return nil, err
		}
		_, canCopy := backend.As[backend.Copier](be)
		if err := be.Close(); err != nil {
			return nil, err
		}
		return &harness{open: open, missing: s.missing, client: s.client, copy: canCopy}, nil
	}, nil)
	if child {
		return
	}
	t.Run("KnownFailures", func(t *testing.T) { checkKnownFailures(t, strings.TrimSuffix(root, "/"), known) })
}

func randomName(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestMem(t *testing.T) {
	run(t, store{
		fresh: func(t *testing.T) func(context.Context) (backend.Backend, error) {
			name := "gocloudtest-" + randomName(t)
			return func(context.Context) (backend.Backend, error) { return mem.Named(name), nil }
		},
	}, knownFailures)
}

func TestFS(t *testing.T) {
	run(t, store{
		fresh: func(t *testing.T) func(context.Context) (backend.Backend, error) {
			dir := t.TempDir()
			return func(context.Context) (backend.Backend, error) { return fs.New(dir) }
		},
	}, knownFailures)
}

func TestMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	cfg := func(bucket string, create bool) minio.Config {
		return minio.Config{
			Endpoints: []string{srv.Endpoint}, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
			Bucket: bucket, CreateBucket: create,
		}
	}
	run(t, store{
		fresh: func(t *testing.T) func(context.Context) (backend.Backend, error) {
			bucket := "gocloudtest-" + randomName(t)
			return func(ctx context.Context) (backend.Backend, error) { return minio.New(ctx, cfg(bucket, true)) }
		},
		missing: func(ctx context.Context) (backend.Backend, error) {
			return minio.New(ctx, cfg("gocloudtest-missing", false))
		},
		client: http.DefaultClient,
	}, knownFailures)
}
