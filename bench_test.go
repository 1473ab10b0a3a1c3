package objstore_test

import (
	"context"
	"strings"
	"testing"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// The BenchmarkClient* benchmarks measure what the client costs on top of
// the backend: each runs the same operation through the client and on the
// mem backend directly; the difference is the client's overhead (goal:
// under 2µs and 2 allocations per call). Run:
//
//	go test -run '^$' -bench BenchmarkClient -benchmem .

func BenchmarkClientPutObject(b *testing.B) {
	ctx := context.Background()
	m := mem.New()
	c := objstore.New(m)
	r := new(strings.Reader)
	const data = "0123456789abcdef"
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Reset(data)
			if _, err := c.PutObject(ctx, "bench/put", r, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Reset(data)
			if _, err := m.Put(ctx, "bench/put", r, backend.PutOptions{Size: int64(len(data))}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkClientGetObject(b *testing.B) {
	ctx := context.Background()
	m := mem.New()
	c := objstore.New(m)
	if _, err := c.PutObject(ctx, "bench/get", strings.NewReader("0123456789abcdef"), nil); err != nil {
		b.Fatal(err)
	}
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rc, err := c.GetObject(ctx, "bench/get")
			if err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rc, _, err := m.Get(ctx, "bench/get", backend.WholeObject)
			if err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	})
}

func BenchmarkClientStatObject(b *testing.B) {
	ctx := context.Background()
	m := mem.New()
	c := objstore.New(m)
	if _, err := c.PutObject(ctx, "bench/stat", strings.NewReader("x"), nil); err != nil {
		b.Fatal(err)
	}
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.StatObject(ctx, "bench/stat"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Stat(ctx, "bench/stat"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClientStreamWrite compares one stream Write (one chunk) with
// the create-only put it makes.
func BenchmarkClientStreamWrite(b *testing.B) {
	ctx := context.Background()
	p := []byte("0123456789abcdef")
	b.Run("client", func(b *testing.B) {
		c := objstore.New(mem.New())
		w, err := c.PutStreamObject(ctx, "bench/stream", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := w.Write(p); err != nil {
				b.Fatal(err)
			}
		}
		w.Close()
	})
	b.Run("backend", func(b *testing.B) {
		m := mem.New()
		r := new(strings.Reader)
		keys := make([]string, 0, 1<<16)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(keys) {
				keys = append(keys, "bench/stream/stream."+itoa(i))
			}
			r.Reset(string(p))
			if _, err := m.Put(ctx, keys[i], r, backend.PutOptions{Size: int64(len(p)), IfNotExist: true}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkClientListObjects lists 1000 keys (one page).
func BenchmarkClientListObjects(b *testing.B) {
	ctx := context.Background()
	m := mem.New()
	c := objstore.New(m)
	for i := range 1000 {
		if _, err := c.PutObject(ctx, "bench/list/"+itoa(i), strings.NewReader("x"), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, err := range c.Objects(ctx, "bench/list/") {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 1000 {
				b.Fatal(n)
			}
		}
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := m.List(ctx, backend.ListOptions{Prefix: "bench/list/"})
			if err != nil || len(page.Objects) != 1000 {
				b.Fatal(err, len(page.Objects))
			}
		}
	})
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(buf[n:])
		}
	}
}
