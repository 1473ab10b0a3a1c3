package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// Stream objects (objstore only): one writer stores chunks with
// PutStreamObject while one reader follows the stream with OpenStream,
// each with a client of its own, on each MinIO-backed driver.
//
//  1. Full speed: the writer writes streamFast chunks back to back:
//     chunks per second, Puts per Write (counted by a middleware under
//     the writer's client: it must be 1), HTTP requests per Write.
//  2. Paced: the writer writes streamPaced chunks, one every
//     streamInterval. The reader's lag for each chunk is the time from
//     the writer's Write returning to the reader holding the whole chunk
//     (0 when the reader was first): p50 and p99 must be under 100 ms.
//  3. Idle: the writer waits streamIdle before Close; the reader's HTTP
//     requests per second while it waits show what a follower costs the
//     server.

const (
	streamInterval = 50 * time.Millisecond
	streamIdle     = time.Second
)

type streamCounts struct{ fast, paced int }

func streamChunks(quick bool) streamCounts {
	if quick {
		return streamCounts{fast: 60, paced: 30}
	}
	return streamCounts{fast: 300, paced: 80}
}

// putCounter is a middleware that counts the Puts that reach the backend.
type putCounter struct {
	backend.Backend
	n atomic.Int64
}

func (p *putCounter) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	p.n.Add(1)
	return p.Backend.Put(ctx, key, r, opts)
}

// Unwrap lets backend.As find the capabilities of the driver.
func (p *putCounter) Unwrap() backend.Backend { return p.Backend }

// streamResult is one line of the stream table.
type streamResult struct {
	driver, chunk      string
	chunksPerSec       float64
	putsPerWrite       float64
	requestsPerWrite   float64
	lagFastP50         time.Duration
	lagP50, lagP99     time.Duration
	idleRequestsPerSec float64
}

func runStream(ctx context.Context, cfg *settings, t target) (*streamReport, error) {
	rep := &streamReport{}
	counts := streamChunks(cfg.quick)
	drivers := []struct {
		name string
		open func(ctx context.Context, t target, opts ...objstore.Option) (*objstoreStore, error)
	}{
		{nameObjMinIO, openObjstoreMinIOWith},
		{nameObjS3, openObjstoreS3With},
	}
	for _, d := range drivers {
		if !contains(cfg.stores, d.name) {
			continue
		}
		for _, size := range []int{1 << 10, 64 << 10} {
			cfg.logf("stream, %s, %s chunks", d.name, sizeLabel(int64(size)))
			res, err := streamOnce(ctx, t, d.name, d.open, size, counts)
			if err != nil {
				return nil, fmt.Errorf("stream objects, %s, %s chunks: %w", d.name, sizeLabel(int64(size)), err)
			}
			rep.results = append(rep.results, res)
		}
	}
	return rep, nil
}

func streamOnce(ctx context.Context, t target, driver string,
	open func(context.Context, target, ...objstore.Option) (*objstoreStore, error), size int, counts streamCounts) (streamResult, error) {
	res := streamResult{driver: driver, chunk: sizeLabel(int64(size))}
	wt := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	rt := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	puts := &putCounter{}
	wtarget, rtarget := t, t
	wtarget.Transport, rtarget.Transport = wt, rt
	w, err := open(ctx, wtarget, objstore.WithMiddleware(func(b backend.Backend) backend.Backend { puts.Backend = b; return puts }))
	if err != nil {
		return res, err
	}
	defer w.Close()
	r, err := open(ctx, rtarget)
	if err != nil {
		return res, err
	}
	defer r.Close()

	name := fmt.Sprintf("stream-%s-%s-%d", slug(driver), slug(res.chunk), time.Now().UnixNano())
	sw, err := w.c.PutStreamObject(ctx, name, map[string]string{"source": "bench"})
	if err != nil {
		return res, err
	}
	total := counts.fast + counts.paced
	written := make([]time.Time, total)
	seen := make([]time.Time, total)

	// The reader: every chunk in order, until the writer's Close.
	sr, err := r.c.OpenStream(ctx, name, 0)
	if err != nil {
		sw.Close()
		return res, err
	}
	var rerr error
	var rwg sync.WaitGroup
	rwg.Go(func() {
		defer sr.Close()
		buf := make([]byte, size)
		for i := 0; ; i++ {
			_, err := io.ReadFull(sr, buf)
			if err == io.EOF && i == total {
				return
			}
			if err != nil {
				rerr = fmt.Errorf("reader, chunk %d: %w", i, err)
				return
			}
			if i >= total {
				rerr = fmt.Errorf("reader: more than the %d chunks written", total)
				return
			}
			seen[i] = time.Now()
			if buf[0] != byte(i) {
				rerr = fmt.Errorf("reader, chunk %d: its bytes are those of chunk %d", i, buf[0])
				return
			}
		}
	})
	chunk := randomData(size)
	write := func(i int) error {
		chunk[0] = byte(i) // so the reader can check the order
		if _, err := sw.Write(chunk); err != nil {
			return fmt.Errorf("writer, chunk %d: %w", i, err)
		}
		written[i] = time.Now()
		return nil
	}
	fail := func(err error) (streamResult, error) {
		sw.Close()
		sr.Close()
		rwg.Wait()
		return res, err
	}

	puts.n.Store(0)
	reqs0 := wt.n.Load()
	start := time.Now()
	for i := 0; i < counts.fast; i++ {
		if err := write(i); err != nil {
			return fail(err)
		}
	}
	elapsed := time.Since(start)
	res.chunksPerSec = float64(counts.fast) / elapsed.Seconds()
	res.putsPerWrite = float64(puts.n.Load()) / float64(counts.fast)
	res.requestsPerWrite = float64(wt.n.Load()-reqs0) / float64(counts.fast)

	next := time.Now()
	for i := counts.fast; i < total; i++ {
		next = next.Add(streamInterval)
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
			return fail(ctx.Err())
		}
		if err := write(i); err != nil {
			return fail(err)
		}
	}
	// Let the reader catch up with the last chunk, then count its
	// requests while it waits for a chunk that does not come.
	time.Sleep(streamInterval)
	idle0 := rt.n.Load()
	time.Sleep(streamIdle)
	res.idleRequestsPerSec = float64(rt.n.Load()-idle0) / streamIdle.Seconds()
	if err := sw.Close(); err != nil {
		return fail(err)
	}
	rwg.Wait()
	if rerr != nil {
		return res, rerr
	}
	lag := func(from, to int) []time.Duration {
		var ls []time.Duration
		for i := from; i < to; i++ {
			ls = append(ls, max(seen[i].Sub(written[i]), 0))
		}
		return ls
	}
	res.lagFastP50 = percentile(lag(0, counts.fast), 50)
	paced := lag(counts.fast, total)
	res.lagP50, res.lagP99 = percentile(paced, 50), percentile(paced, 99)
	if err := w.c.RemoveObjects(ctx, name+"/"); err != nil {
		return res, err
	}
	return res, nil
}

// streamReport is the stream table.
type streamReport struct {
	results []streamResult
}

func (s *streamReport) table() table {
	t := table{
		title: "Stream objects (objstore only)",
		intro: fmt.Sprintf("One writer (PutStreamObject) and one reader following it (OpenStream), each with its own client, "+
			"on the MinIO server. Speed: chunks written back to back. Lag: the writer writes one chunk every %v; lag is the time "+
			"from its Write returning to the reader holding the whole chunk (0 when the reader was first). Idle: the reader's "+
			"HTTP requests per second while it waits %v for a chunk that does not come.", streamInterval, streamIdle),
		header: []string{"driver", "chunk", "chunks/s", "Puts per Write", "HTTP requests per Write", "lag p50 (full speed)", "lag p50 (paced)", "lag p99 (paced)", "idle reader requests/s"},
	}
	for _, r := range s.results {
		t.rows = append(t.rows, []string{
			r.driver, r.chunk, fmtNum(r.chunksPerSec), fmtNum(r.putsPerWrite), fmtNum(r.requestsPerWrite),
			fmtDur(r.lagFastP50), fmtDur(r.lagP50), fmtDur(r.lagP99), fmtNum(r.idleRequestsPerSec),
		})
	}
	return t
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
