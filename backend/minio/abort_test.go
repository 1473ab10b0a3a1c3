package minio_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

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

// uploadsOf lists the incomplete multipart uploads of key. (After a
// restart, the pinned MinIO lists an upload left from before it only when
// asked with its exact key: with the prefix "" it answered with none.)
func uploadsOf(t testing.TB, c *miniogo.Client, bucket, key string) []string {
	t.Helper()
	var out []string
	for u := range c.ListIncompleteUploads(context.Background(), bucket, key, false) {
		require.NoError(t, u.Err)
		out = append(out, u.Key+" "+u.UploadID)
	}
	return out
}

// TestAbortRetriedAcrossServerRestart kills the server (SIGKILL) in the
// middle of a multipart upload of unknown size (5 MiB parts, 40 MiB, the
// kill after 12 MiB) and starts it again 0.5 s later: the first abort
// finds no server, so the abort must be retried, within its bound, until
// the restarted server has removed the upload.
func TestAbortRetriedAcrossServerRestart(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	adm := admin(t, srv)

	var killed time.Time
	src := &pauseAt{r: bytes.NewReader(payload(13, 40*mib)), n: 12 * mib, at: func() {
		srv.Kill(t)
		killed = time.Now()
	}}
	_, err := d.Put(context.Background(), "dies/mid-put", opaque{src}, backend.PutOptions{Size: -1})
	require.False(t, killed.IsZero(), "the server was killed")
	require.Error(t, err, "the server died in the middle of the upload")
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	t.Logf("put failed after %v: %v", time.Since(killed), err)
	time.Sleep(time.Until(killed.Add(500 * time.Millisecond)))
	srv.Restart(t)

	var left []string
	assert.Eventually(t, func() bool {
		left = uploadsOf(t, adm, d.Bucket(), "dies/mid-put")
		return len(left) == 0
	}, 30*time.Second, 200*time.Millisecond, "the incomplete upload is aborted once the server is back")
	assert.Empty(t, left, "incomplete multipart uploads")
	_, err = d.Stat(context.Background(), "dies/mid-put")
	assert.ErrorIs(t, err, backend.ErrNotFound)
}
