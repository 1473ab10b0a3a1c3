package objstore_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// BenchmarkParallelGet times whole-object reads (GetObject, io.Copy to
// io.Discard: the checksum is verified) with parallel ranged downloads
// off, at the defaults, and in other shapes (CONCURRENCYxSEGMENT, every
// read above one segment), on:
//
//   - minio: a MinIO server on this machine, straight to 127.0.0.1;
//   - minio-wan: the same through a TCP proxy that delays every chunk of
//     at most 32 KiB by OBJSTORE_BENCH_WAN_DELAY (default 500µs), so that
//     one connection carries at most ~64 MiB/s, as on a long link;
//   - mem and fs, where the defaults read sequentially.
//
// Sizes: 64 MiB everywhere, also 16 and 32 MiB on minio and minio-wan,
// and 1 GiB on minio (OBJSTORE_BENCH_BIG=0 leaves it out). Run it, one round per invocation so that rounds interleave:
//
//	for i in 1 2 3 4 5; do go test -run '^$' -bench BenchmarkParallelGet -benchtime 3x . ; done
func BenchmarkParallelGet(b *testing.B) {
	delay := 500 * time.Microsecond
	if v := os.Getenv("OBJSTORE_BENCH_WAN_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		delay = d
	}
	big := os.Getenv("OBJSTORE_BENCH_BIG") != "0"
	srv := testserver.StartMinIO(b)
	wan := faultproxy.Start(b, srv.Endpoint)
	wan.SetLatency(delay)
	minioURL := func(endpoint string) string {
		return fmt.Sprintf("minio://%s:%s@%s/bench?create_bucket=true",
			url.PathEscape(srv.AccessKey), url.PathEscape(srv.SecretKey), endpoint)
	}
	shapes := []struct {
		name string
		opts []objstore.Option
	}{
		{"off", []objstore.Option{objstore.WithParallelDownload(0, 0, 0)}},
		{"default", nil},
		{"2x8MiB", []objstore.Option{objstore.WithParallelDownload(1, 8<<20, 2)}},
		{"4x4MiB", []objstore.Option{objstore.WithParallelDownload(1, 4<<20, 4)}},
		{"4x8MiB", []objstore.Option{objstore.WithParallelDownload(1, 8<<20, 4)}},
		{"4x16MiB", []objstore.Option{objstore.WithParallelDownload(1, 16<<20, 4)}},
		{"8x8MiB", []objstore.Option{objstore.WithParallelDownload(1, 8<<20, 8)}},
	}
	type store struct {
		name  string
		open  func(opts ...objstore.Option) *objstore.Client
		sizes []int64
	}
	memB := mem.New()
	fsB, err := fs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	stores := []store{
		{"minio", func(opts ...objstore.Option) *objstore.Client {
			c, err := objstore.Open(b.Context(), minioURL(srv.Endpoint), opts...)
			if err != nil {
				b.Fatal(err)
			}
			return c
		}, []int64{16 << 20, 32 << 20, 64 << 20, 1 << 30}},
		{"minio-wan", func(opts ...objstore.Option) *objstore.Client {
			c, err := objstore.Open(b.Context(), minioURL(wan.Addr()), opts...)
			if err != nil {
				b.Fatal(err)
			}
			return c
		}, []int64{16 << 20, 32 << 20, 64 << 20}},
		{"mem", func(opts ...objstore.Option) *objstore.Client {
			return objstore.New(noClose{memB}, opts...)
		}, []int64{64 << 20}},
		{"fs", func(opts ...objstore.Option) *objstore.Client {
			return objstore.New(noClose{fsB}, opts...)
		}, []int64{64 << 20}},
	}
	b.Cleanup(func() { memB.Close(); fsB.Close() })
	for _, st := range stores {
		seed := st.open()
		for _, size := range st.sizes {
			if size > 64<<20 && !big {
				continue
			}
			key := fmt.Sprintf("get/%d", size)
			if st.name != "minio-wan" { // the same bucket as minio
				src := io.LimitReader(rand.NewChaCha8([32]byte{byte(size >> 20)}), size)
				if _, err := seed.PutObject(b.Context(), key, readerOnlyOf{src}, nil); err != nil {
					b.Fatal(err)
				}
			}
			for _, sh := range shapes {
				if st.name == "mem" || st.name == "fs" {
					if sh.name != "off" && sh.name != "default" && sh.name != "4x8MiB" {
						continue
					}
				}
				c := st.open(sh.opts...)
				b.Run(fmt.Sprintf("store=%s/size=%s/shape=%s", st.name, sizeName(size), sh.name), func(b *testing.B) {
					b.SetBytes(size)
					read := func() {
						rc, err := c.GetObject(b.Context(), key)
						if err != nil {
							b.Fatal(err)
						}
						n, err := io.Copy(io.Discard, rc)
						rc.Close()
						if err != nil || n != size {
							b.Fatalf("%d bytes, %v", n, err)
						}
					}
					read() // warm-up, not timed: connections, page cache
					for b.Loop() {
						read()
					}
				})
				c.Close()
			}
		}
		seed.Close()
	}
}

// noClose keeps a shared backend open when a client on it closes; the
// client still sees the driver through it (Unwrap).
type noClose struct{ backend.Backend }

func (noClose) Close() error              { return nil }
func (n noClose) Unwrap() backend.Backend { return n.Backend }

// readerOnlyOf hides the size of a reader (a put of unknown size).
type readerOnlyOf struct{ io.Reader }

func sizeName(n int64) string {
	s := fmt.Sprintf("%dMiB", n>>20)
	if n >= 1<<30 {
		s = fmt.Sprintf("%dGiB", n>>30)
	}
	return strings.TrimSpace(s)
}
