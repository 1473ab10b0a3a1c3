package s3_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
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

// TestAbortRetriedAcrossServerRestart kills MinIO (SIGKILL) in the middle
// of a multipart upload of unknown size (5 MiB parts, 40 MiB, the kill
// after 12 MiB) and starts it again 0.5 s later: the abort must go on
// past the first tries, which find no server, until the restarted server
// has removed the upload. (MinIO, because it keeps an upload across a
// restart and lists it.)
func TestAbortRetriedAcrossServerRestart(t *testing.T) {
	srv := servers[0].start(t)
	require.Equal(t, "minio", srv.name)
	const key = "dies/mid-put"
	d, bucket := srv.openRaw(t, func(c *s3drv.Config) { c.PartSize = s3drv.MinPartSize })

	var killed time.Time
	src := &pauseAt{r: bytes.NewReader(payload(13, 40<<20)), n: 12 << 20, at: func() {
		srv.proc.Kill(t)
		killed = time.Now()
	}}
	_, err := d.Put(context.Background(), key, streamOnly{src}, backend.PutOptions{Size: -1})
	require.False(t, killed.IsZero(), "the server was killed")
	require.Error(t, err, "the server died in the middle of the upload")
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	t.Logf("put failed after %v: %v", time.Since(killed), err)
	time.Sleep(time.Until(killed.Add(500 * time.Millisecond)))
	srv.proc.Restart(t)

	// After a restart, MinIO lists an upload from before it only when
	// asked with its exact key.
	var left []string
	assert.Eventually(t, func() bool {
		out, err := srv.admin.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{
			Bucket: aws.String(bucket), Prefix: aws.String(key),
		})
		if err != nil {
			return false // the restarted server may not serve yet
		}
		left = left[:0]
		for _, u := range out.Uploads {
			left = append(left, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
		}
		return len(left) == 0
	}, 30*time.Second, 200*time.Millisecond, "the incomplete upload is aborted once the server is back")
	assert.Empty(t, left, "incomplete multipart uploads")
	assert.False(t, srv.objectExists(t, bucket, key))
}
