package reliability_test

import (
	"crypto/sha256"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/backend/minio"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// unknownSize is the object of TestReliabilityUnknownSizeMemory: many
// times every driver's buffers, so that a driver that buffers the object
// (or a growing share of it) cannot stay under the bound.
const unknownSize = 256 << 20

// TestReliabilityUnknownSizeMemory: an upload of unknown size from a
// reader that is only a reader (a pipe, a socket) holds memory bounded by
// the driver's configured buffers, not by the object. Each network
// driver, with its defaults and through its public constructor, puts
// 256 MiB while the heap in use is sampled; its growth must stay under
// twice the driver's buffers (Go's collector lets the heap reach about
// twice what is live) plus 24 MiB for the runtime, the HTTP stack and the
// sampler. The object then reads back byte-identical. (docs/benchmarks.md
// measures the same for 1 GiB as the peak RSS of a child process.)
func TestReliabilityUnknownSizeMemory(t *testing.T) {
	for _, d := range []struct {
		name    string
		buffers int64 // what the driver may hold by design
		open    func(t *testing.T) backend.Backend
	}{
		{"minio", minio.DefaultPartSize, func(t *testing.T) backend.Backend {
			srv := testserver.StartMinIO(t)
			b, err := minio.New(t.Context(), minio.Config{Endpoints: []string{srv.Endpoint},
				AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Bucket: "memory", CreateBucket: true})
			require.NoError(t, err)
			return b
		}},
		{"s3", s3drv.DefaultPartSize * s3drv.DefaultConcurrency, func(t *testing.T) backend.Backend {
			srv := testserver.StartMinIO(t)
			b, err := s3drv.New(t.Context(), s3drv.Config{Bucket: "memory", Region: srv.Region, Endpoint: srv.URL(),
				PathStyle: true, CreateBucket: true,
				Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, "")})
			require.NoError(t, err)
			return b
		}},
		{"gcs", gcs.DefaultChunkSize, func(t *testing.T) backend.Backend {
			srv := testserver.StartFakeGCS(t)
			b, err := gcs.New(t.Context(), gcs.Config{Bucket: "memory", CreateBucket: true, ProjectID: "objstore-test",
				Endpoint: srv.URL + "/storage/v1/", Anonymous: true})
			require.NoError(t, err)
			return b
		}},
	} {
		t.Run(d.name, func(t *testing.T) {
			b := d.open(t)
			defer b.Close()
			src := newUnknownSource(unknownSize)
			peak := sampleHeap()
			base := peak.base
			info, err := b.Put(t.Context(), "big", src, backend.PutOptions{Size: -1})
			grown := peak.stop() - base
			require.NoError(t, err)
			assert.EqualValues(t, unknownSize, info.Size)
			bound := 2*uint64(d.buffers) + 24<<20
			t.Logf("%s: %d MiB of unknown size; heap in use grew by %.1f MiB at most (bound %d MiB: buffers %d MiB)",
				d.name, unknownSize>>20, float64(grown)/(1<<20), bound>>20, d.buffers>>20)
			assert.LessOrEqual(t, grown, bound, "the upload holds memory in proportion to the object")

			rc, _, err := b.Get(t.Context(), "big", backend.WholeObject)
			require.NoError(t, err)
			defer rc.Close()
			h := sha256.New()
			n, err := io.Copy(h, rc)
			require.NoError(t, err)
			assert.EqualValues(t, unknownSize, n)
			assert.Equal(t, src.sum(), [32]byte(h.Sum(nil)), "stored bytes equal the source")
		})
	}
}

// unknownSource delivers n pseudo-random bytes and implements nothing but
// Read, so a driver cannot learn the size or seek. It hashes what it
// delivered.
type unknownSource struct {
	left  int64
	block []byte
	off   int
	hash  interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func newUnknownSource(n int64) *unknownSource {
	block := make([]byte, 1<<20+7) // not a divisor of any part size
	for i := range block {
		block[i] = byte(i*7 + i>>9)
	}
	return &unknownSource{left: n, block: block, hash: sha256.New()}
}

func (s *unknownSource) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.left)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], s.block[s.off:])
		n += c
		s.off = (s.off + c) % len(s.block)
	}
	s.hash.Write(p[:n])
	s.left -= int64(n)
	return n, nil
}

func (s *unknownSource) sum() (out [32]byte) {
	copy(out[:], s.hash.Sum(nil))
	return out
}

// heapSampler records the peak of the heap in use every 10 ms.
type heapSampler struct {
	base uint64
	mu   sync.Mutex
	peak uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func sampleHeap() *heapSampler {
	runtime.GC()
	s := &heapSampler{done: make(chan struct{})}
	s.base = heapInUse()
	s.peak = s.base
	s.wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-tick.C:
				v := heapInUse()
				s.mu.Lock()
				s.peak = max(s.peak, v)
				s.mu.Unlock()
			}
		}
	})
	return s
}

// stop ends the sampling and returns the peak.
func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return max(s.peak, heapInUse())
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
