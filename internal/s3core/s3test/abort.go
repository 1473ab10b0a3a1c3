package s3test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// Restartable is a driver on a server that a check kills and starts
// again.
type Restartable struct {
	// Backend is the raw driver, with parts of 5 MiB.
	Backend backend.Backend
	// Server is the server's process.
	Server *testserver.Process
	// Uploads lists the incomplete multipart uploads of key with a plain
	// client, asked with the exact key (after a restart, MinIO lists an
	// upload from before it only then). An error is for a server that
	// does not serve yet.
	Uploads func(key string) ([]string, error)
	// Exists asks the server with a plain client whether key exists.
	Exists func(t *testing.T, key string) bool
}

// CheckAbortRetriedAcrossServerRestart kills the server (SIGKILL) in the
// middle of a multipart upload of unknown size (5 MiB parts, 40 MiB, the
// kill after 12 MiB) and starts it again 0.5 s later: the first abort
// finds no server, so the abort must go on, within its bound, until the
// restarted server has removed the upload. (MinIO keeps an upload across
// a restart and lists it.)
func CheckAbortRetriedAcrossServerRestart(t *testing.T, r Restartable) {
	const key = "dies/mid-put"
	var killed time.Time
	src := &pauseAt{r: bytes.NewReader(Payload(13, 40<<20)), n: 12 << 20, at: func() {
		r.Server.Kill(t)
		killed = time.Now()
	}}
	_, err := r.Backend.Put(context.Background(), key, opaque{src}, backend.PutOptions{Size: -1})
	require.False(t, killed.IsZero(), "the server was killed")
	require.Error(t, err, "the server died in the middle of the upload")
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	t.Logf("put failed after %v: %v", time.Since(killed), err)
	time.Sleep(time.Until(killed.Add(500 * time.Millisecond)))
	r.Server.Restart(t)

	var left []string
	assert.Eventually(t, func() bool {
		var err error
		left, err = r.Uploads(key)
		return err == nil && len(left) == 0
	}, 30*time.Second, 200*time.Millisecond, "the incomplete upload is aborted once the server is back")
	assert.Empty(t, left, "incomplete multipart uploads")
	_, err = r.Backend.Stat(context.Background(), key)
	assert.ErrorIs(t, err, backend.ErrNotFound)
	assert.False(t, r.Exists(t, key), "the server has no object")
}

// pauseAt delivers r and, once it has delivered n bytes, calls at (once)
// before it delivers more.
type pauseAt struct {
	r    io.Reader
	n    int
	once sync.Once
	at   func()
}

func (p *pauseAt) Read(b []byte) (int, error) {
	if p.n <= 0 {
		p.once.Do(p.at)
	} else if len(b) > p.n {
		b = b[:p.n]
	}
	k, err := p.r.Read(b)
	p.n -= k
	return k, err
}
