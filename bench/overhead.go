package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// The client's own cost per call: Go benchmarks (testing.Benchmark) of
// each operation through the objstore client on the mem driver, and of
// the same operation on the mem driver directly. The difference is what
// the client adds (key checks, option handling, wrappers); the target is
// under 2 µs and under 2 allocations per call. The pairs run alternately,
// overheadRounds times, and the medians are reported.

// overheadCase is one operation, through the client and on the backend.
type overheadCase struct {
	name            string
	client, backend func(b *testing.B)
}

func overheadCases() []overheadCase {
	ctx := context.Background()
	const data = "0123456789abcdef"
	m := mem.New()
	c := objstore.New(m)
	if _, err := m.Put(ctx, "bench/get", strings.NewReader(data), backend.PutOptions{Size: int64(len(data))}); err != nil {
		panic(err)
	}
	for i := range 1000 {
		if _, err := m.Put(ctx, "bench/list/"+strconv.Itoa(i), strings.NewReader("x"), backend.PutOptions{Size: 1}); err != nil {
			panic(err)
		}
	}
	return []overheadCase{
		{"PutObject (16 B)",
			func(b *testing.B) {
				r := new(strings.Reader)
				b.ReportAllocs()
				for b.Loop() {
					r.Reset(data)
					if _, err := c.PutObject(ctx, "bench/put", r, nil); err != nil {
						b.Fatal(err)
					}
				}
			},
			func(b *testing.B) {
				r := new(strings.Reader)
				b.ReportAllocs()
				for b.Loop() {
					r.Reset(data)
					if _, err := m.Put(ctx, "bench/put", r, backend.PutOptions{Size: int64(len(data))}); err != nil {
						b.Fatal(err)
					}
				}
			}},
		{"GetObject + Close",
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rc, err := c.GetObject(ctx, "bench/get")
					if err != nil {
						b.Fatal(err)
					}
					rc.Close()
				}
			},
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rc, _, err := m.Get(ctx, "bench/get", backend.WholeObject)
					if err != nil {
						b.Fatal(err)
					}
					rc.Close()
				}
			}},
		{"StatObject",
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.StatObject(ctx, "bench/get"); err != nil {
						b.Fatal(err)
					}
				}
			},
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.Stat(ctx, "bench/get"); err != nil {
						b.Fatal(err)
					}
				}
			}},
		{"RemoveObject (missing key)",
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.RemoveObject(ctx, "bench/missing"); err != nil {
						b.Fatal(err)
					}
				}
			},
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := m.Remove(ctx, "bench/missing"); err != nil {
						b.Fatal(err)
					}
				}
			}},
		{"stream Write (one chunk, 16 B)",
			func(b *testing.B) {
				sc := objstore.New(mem.New())
				w, err := sc.PutStreamObject(ctx, "bench/stream", nil)
				if err != nil {
					b.Fatal(err)
				}
				p := []byte(data)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := w.Write(p); err != nil {
						b.Fatal(err)
					}
				}
				w.Close()
			},
			func(b *testing.B) {
				// The create-only put of the chunk key the writer makes.
				sm := mem.New()
				r := new(strings.Reader)
				keys := make([]string, 0, 1<<16)
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					if i == len(keys) {
						keys = append(keys, "bench/stream/stream."+strconv.Itoa(i))
					}
					r.Reset(data)
					if _, err := sm.Put(ctx, keys[i], r, backend.PutOptions{Size: int64(len(data)), IfNotExist: true}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			}},
		{"list, per key (pages of 1,000)",
			func(b *testing.B) {
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
						b.Fatalf("listed %d keys, want 1000", n)
					}
				}
			},
			func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					page, err := m.List(ctx, backend.ListOptions{Prefix: "bench/list/"})
					if err != nil || len(page.Objects) != 1000 {
						b.Fatal(err, len(page.Objects))
					}
				}
			}},
	}
}

// overheadResult is one row of the overhead table.
type overheadResult struct {
	name                        string
	perKey                      float64 // divide by this (1000 for the listing)
	clientNs, backendNs         float64
	clientAllocs, backendAllocs float64
}

func runOverhead(quick bool) (*overheadReport, error) {
	rounds := 3
	if quick {
		rounds = 1
	}
	rep := &overheadReport{}
	for _, oc := range overheadCases() {
		var cns, bns, cal, bal []float64
		for range rounds {
			cr := testing.Benchmark(oc.client)
			br := testing.Benchmark(oc.backend)
			if cr.N == 0 || br.N == 0 {
				return nil, fmt.Errorf("overhead benchmark %q failed", oc.name)
			}
			cns = append(cns, float64(cr.NsPerOp()))
			bns = append(bns, float64(br.NsPerOp()))
			cal = append(cal, float64(cr.AllocsPerOp()))
			bal = append(bal, float64(br.AllocsPerOp()))
		}
		r := overheadResult{name: oc.name, perKey: 1,
			clientNs: median(cns), backendNs: median(bns), clientAllocs: median(cal), backendAllocs: median(bal)}
		if strings.HasPrefix(oc.name, "list") {
			r.perKey = 1000
		}
		rep.results = append(rep.results, r)
	}
	return rep, nil
}

// overheadReport is the overhead table.
type overheadReport struct {
	results []overheadResult
}

// worst returns the largest overhead in ns and allocations per call.
func (o *overheadReport) worst() (ns, allocs float64) {
	for _, r := range o.results {
		ns = max(ns, (r.clientNs-r.backendNs)/r.perKey)
		allocs = max(allocs, (r.clientAllocs-r.backendAllocs)/r.perKey)
	}
	return ns, allocs
}

func (o *overheadReport) table() table {
	t := table{
		title: "Client overhead per call (Go benchmarks on the mem driver)",
		intro: "testing.Benchmark of each call through the objstore client on the mem driver, and of the same operation on the " +
			"mem driver directly; the overhead is the difference (median of the runs). Target: under 2 µs and under 2 " +
			"allocations per call. The listing row is per key listed.",
		header: []string{"operation", "client ns/op", "backend ns/op", "overhead ns", "client allocs/op", "backend allocs/op", "overhead allocs"},
	}
	for _, r := range o.results {
		t.rows = append(t.rows, []string{
			r.name,
			fmtNum(r.clientNs / r.perKey), fmtNum(r.backendNs / r.perKey), fmtNum((r.clientNs - r.backendNs) / r.perKey),
			fmtNum(r.clientAllocs / r.perKey), fmtNum(r.backendAllocs / r.perKey), fmtNum((r.clientAllocs - r.backendAllocs) / r.perKey),
		})
	}
	return t
}
