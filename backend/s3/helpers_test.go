package s3_test

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// payload returns n pseudo-random bytes, the same for the same seed.
func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// streamOnly hides every method but Read, so that the driver cannot learn
// the size or seek: an upload of unknown size.
type streamOnly struct{ r io.Reader }

func (s streamOnly) Read(p []byte) (int, error) { return s.r.Read(p) }

// readAll reads a Get's body and closes it.
func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b
}

// getAll returns the whole object at key.
func getAll(t *testing.T, b backend.Backend, key string) []byte {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err, "Get(%q)", key)
	return readAll(t, rc)
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

// countingTransport counts the request body bytes the HTTP transport has
// taken (sent, or about to be), and the requests by method, so that tests
// can see how much an upload holds in memory and how many attempts an
// operation made. It forwards everything to a real server.
type countingTransport struct {
	base     *http.Transport
	sent     atomic.Int64
	mu       sync.Mutex
	requests map[string]int
}

func newCountingTransport() *countingTransport {
	return &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone(), requests: map[string]int{}}
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.requests[req.Method]++
	c.mu.Unlock()
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &countingBody{ReadCloser: req.Body, n: &c.sent}
	}
	return c.base.RoundTrip(req)
}

func (c *countingTransport) count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[method]
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// leadReader delivers src and records the largest lead of the bytes it
// delivered over the bytes the transport has taken: the bytes the driver
// holds in memory.
type leadReader struct {
	src     io.Reader
	sent    *atomic.Int64
	read    int64
	maxLead int64
}

func (l *leadReader) Read(p []byte) (int, error) {
	n, err := l.src.Read(p)
	l.read += int64(n)
	if lead := l.read - l.sent.Load(); lead > l.maxLead {
		l.maxLead = lead
	}
	return n, err
}

func slicesSort(s []string) { slices.Sort(s) }
