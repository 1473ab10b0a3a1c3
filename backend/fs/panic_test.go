package fs_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/leakcheck"
)

// panicReader delivers some bytes and then panics, as a buggy reader (or
// one that decodes untrusted input) may.
type panicReader struct {
	r   io.Reader
	val any
}

func (p *panicReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err == io.EOF {
		panic(p.val)
	}
	return n, err
}

// TestPanickingReaderLeavesNothing: a reader that panics in the middle of
// a Put leaves no temp file, no open descriptor and no directory, the
// panic reaches the caller unchanged, and the key's directory is usable at
// once (a put of the directory's own key succeeds).
func TestPanickingReaderLeavesNothing(t *testing.T) {
	b := newStore(t)
	putKeys(t, b, "p/q/r") // an old version that must survive
	base := leakcheck.Take()
	for i := range 40 {
		for _, opts := range []backend.PutOptions{{Size: -1}, {Size: 1 << 20}, {Size: -1, IfNotExist: true}} {
			key := "p/q/r"
			if opts.IfNotExist {
				key = "p/new/r"
			}
			val := struct{ n int }{i}
			func() {
				defer func() {
					assert.Equal(t, val, recover(), "the reader's panic must reach the caller unchanged")
				}()
				_, _ = b.Put(t.Context(), key, &panicReader{r: strings.NewReader(strings.Repeat("x", 300<<10)), val: val}, opts)
				t.Error("Put returned instead of panicking")
			}()
		}
	}
	// Counted before any garbage collection could close leaked files.
	if s := leakcheck.Take(); !s.Within(base, leakcheck.Slack{Goroutines: 2}) {
		t.Errorf("panicking puts leaked: %v", leakcheck.Excess(base, s, leakcheck.Slack{Goroutines: 2}))
	}
	assert.Empty(t, tempFiles(t, b.Dir()), "panicking puts left temp files")
	assert.NoDirExists(t, b.Dir()+"/p/new", "panicking puts left the directory they made")
	assert.Equal(t, "p/q/r", readAll(t, b, "p/q/r"))

	// The directory of the panicking puts is free for its own key.
	require.NoError(t, b.Remove(t.Context(), "p/q/r"))
	_, err := b.Put(t.Context(), "p/q", strings.NewReader("q"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"p/q"}, listKeys(t, b, "", 0))
}
