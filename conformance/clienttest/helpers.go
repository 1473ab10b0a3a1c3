package clienttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// testTimeout bounds every check, so a client that waits forever fails
// instead of hanging the run.
const testTimeout = 60 * time.Second

// fastPoll makes stream readers poll quickly, so the checks run fast.
var fastPoll = objstore.WithPollInterval(time.Millisecond, 10*time.Millisecond)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newClient returns a client on b with fast polling. The suite never
// closes it: the backend factory owns b's cleanup.
func newClient(b backend.Backend, opts ...objstore.Option) *objstore.Client {
	return objstore.New(b, append([]objstore.Option{fastPoll}, opts...)...)
}

func readAll(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	data, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	return string(data)
}

func getString(t *testing.T, ctx context.Context, c *objstore.Client, key string) string {
	t.Helper()
	rc, err := c.GetObject(ctx, key)
	require.NoError(t, err, "get %q", key)
	return readAll(t, rc)
}

func putString(t *testing.T, ctx context.Context, c *objstore.Client, key, data string, meta map[string]string) {
	t.Helper()
	n, err := c.PutObject(ctx, key, strings.NewReader(data), meta)
	require.NoError(t, err, "put %q", key)
	require.EqualValues(t, len(data), n)
}

// rawPut stores an object through the backend itself, bypassing the
// client, as another program (or the original minio-client) would.
func rawPut(t *testing.T, ctx context.Context, b backend.Backend, key, data string, meta map[string]string) {
	t.Helper()
	_, err := b.Put(ctx, key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data)), Metadata: meta})
	require.NoError(t, err, "raw put %q", key)
}

// rawGet reads an object through the backend itself.
func rawGet(t *testing.T, ctx context.Context, b backend.Backend, key string) (string, backend.ObjectInfo) {
	t.Helper()
	rc, _, err := b.Get(ctx, key, backend.WholeObject)
	require.NoError(t, err, "raw get %q", key)
	data := readAll(t, rc)
	info, err := b.Stat(ctx, key)
	require.NoError(t, err, "raw stat %q", key)
	return data, info
}

// rawKeys lists every key under prefix through the backend itself.
func rawKeys(t *testing.T, ctx context.Context, b backend.Backend, prefix string) []string {
	t.Helper()
	var keys []string
	opts := backend.ListOptions{Prefix: prefix}
	for {
		page, err := b.List(ctx, opts)
		require.NoError(t, err)
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.NextToken == "" {
			return keys
		}
		opts.Token = page.NextToken
	}
}

// putMany stores n small objects prefix+"%05d" with a few goroutines, so
// that a network backend fills up quickly too.
func putMany(t *testing.T, ctx context.Context, c *objstore.Client, prefix string, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	next := make(chan string)
	for range workers {
		wg.Go(func() {
			for k := range next {
				if _, err := c.PutObject(ctx, k, strings.NewReader(k), nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for _, k := range keys {
		select {
		case next <- k:
		case err := <-errs:
			close(next)
			wg.Wait()
			t.Fatalf("put %d objects: %v", n, err)
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	require.NoError(t, <-errs)
	return keys
}

// supportsCreateOnly reports whether b makes create-only puts, by trying
// one on a key of the test's own.
func supportsCreateOnly(t *testing.T, ctx context.Context, b backend.Backend) bool {
	t.Helper()
	key := "clienttest-probe/create-only"
	opts := backend.PutOptions{Size: 1, IfNotExist: true}
	_, err := b.Put(ctx, key, strings.NewReader("x"), opts)
	require.NoError(t, err)
	_, err = b.Put(ctx, key, strings.NewReader("x"), opts)
	require.NoError(t, b.Remove(ctx, key))
	if errors.Is(err, backend.ErrNotSupported) {
		return false
	}
	require.ErrorIs(t, err, backend.ErrExist, "a second create-only put of the same key")
	return true
}

// requireErrorNames checks that err is a sentinel kind and mentions key,
// so a user reading it knows what failed.
func requireErrorNames(t *testing.T, err error, kind error, key string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	require.Contains(t, err.Error(), key, "the error should name the key")
}
