package failover_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestMinIOCluster runs the cluster rows of RELIABILITY.md on a real
// four-node MinIO cluster (erasure coded, one drive per node: 2 data + 2
// parity shards, so reads need 2 nodes and writes 3), through the
// failover client over the four node endpoints. The subtests share the
// cluster and run in order; each leaves every node running.
//
// The nodes run with MINIO_DRIVE_MAX_TIMEOUT=2s instead of MinIO's 30s:
// with a frozen (SIGSTOPped) peer, whose kernel still accepts connections,
// every GET on the live nodes waits that long for the frozen drive, so a
// client can only read on if its AttemptTimeout is longer (see
// docs/failover.md).
func TestMinIOCluster(t *testing.T) {
	const driveTimeout = 2 * time.Second
	t.Setenv("MINIO_DRIVE_MAX_TIMEOUT", driveTimeout.String()) // inherited by the nodes
	c := testserver.StartMinIOCluster(t, 4)
	cfg := minio.Config{
		AccessKey: c.AccessKey, SecretKey: c.SecretKey, Region: c.Region,
		Bucket: bucket, CreateBucket: true,
		Transport:         c.Transport(), // dials inside the cluster's network namespace
		SkipConflictCheck: true,          // keys never nest here; one request per put
	}
	raw, err := minio.NewEndpoint(context.Background(), cfg, c.Nodes[0].Endpoint)
	require.NoError(t, err)
	raw.Close()
	cfg.CreateBucket = false

	var eps []string
	for _, n := range c.Nodes {
		eps = append(eps, n.Endpoint)
	}
	fc := failover.Config{
		MaxAttempts:    6,
		MaxElapsed:     20 * time.Second,
		AttemptTimeout: 3 * time.Second, // more than driveTimeout
		StallTimeout:   4 * time.Second,
		BaseDelay:      20 * time.Millisecond,
		MaxDelay:       500 * time.Millisecond,
		ReprobeMin:     200 * time.Millisecond,
		ReprobeMax:     2 * time.Second,
	}
	b := open(t, cfg, fc, eps...)

	// waitAllUp waits until the client sees every endpoint up again.
	waitAllUp := func(t *testing.T) {
		t.Helper()
		require.Eventually(t, func() bool {
			for _, s := range b.Endpoints() {
				if !s.Up {
					return false
				}
			}
			return true
		}, 60*time.Second, 50*time.Millisecond, "every endpoint back up")
	}

	t.Run("a listing's page token works on every node", func(t *testing.T) {
		// The MinIO driver pages with MinIO's own continuation tokens
		// (inside its page token); failover may send the next page to
		// another node, which must go on where the last page ended.
		var want []string
		for i := range 9 {
			key := fmt.Sprintf("pages/%02d", i)
			_, err := b.Put(context.Background(), key, bytes.NewReader([]byte(key)), backend.PutOptions{Size: int64(len(key))})
			require.NoError(t, err)
			want = append(want, key)
		}
		nodes := make([]*minio.Driver, len(c.Nodes))
		for i, n := range c.Nodes {
			d, err := minio.NewEndpoint(context.Background(), cfg, n.Endpoint)
			require.NoError(t, err)
			defer d.Close()
			nodes[i] = d
		}
		var got []string
		opts := backend.ListOptions{Prefix: "pages/", PageSize: 2}
		for page := 0; ; page++ {
			p, err := nodes[page%len(nodes)].List(context.Background(), opts)
			require.NoError(t, err, "page %d on node %d", page, page%len(nodes))
			for _, o := range p.Objects {
				got = append(got, o.Key)
			}
			if p.NextToken == "" {
				break
			}
			require.Less(t, page, len(want), "the listing ends")
			opts.Token = p.NextToken
		}
		assert.Equal(t, want, got, "every key once, in order, whichever node answers each page")
	})

	t.Run("one node killed during 1000 puts", func(t *testing.T) {
		const total, workers, killAt = 1000, 8, 150
		victim := c.Nodes[1]
		var next, done atomic.Int64
		var killOnce sync.Once
		var mu sync.Mutex
		acked := map[string][32]byte{}
		var failed []error
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= total {
						return
					}
					if done.Load() >= killAt {
						killOnce.Do(func() {
							t.Logf("killing %s (SIGKILL) after %d puts", victim.Endpoint, done.Load())
							victim.Kill(t)
						})
					}
					key := fmt.Sprintf("kill/%04d", i)
					data := payload(uint64(i), 512+int(i%16)*1024)
					_, err := b.Put(context.Background(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
					done.Add(1)
					mu.Lock()
					if err == nil {
						acked[key] = sha256.Sum256(data)
					} else {
						failed = append(failed, err)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		t.Logf("%d puts in %v: %d acknowledged, %d failed", total, time.Since(start).Round(time.Millisecond), len(acked), len(failed))
		for _, err := range failed {
			t.Logf("failed put: %v", err)
			// A failure is a clear error: the sentinel of what happened,
			// naming the key.
			assert.True(t, errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy), "%v", err)
			assert.Contains(t, err.Error(), `put "kill/`)
		}
		assert.GreaterOrEqual(t, len(acked), total*95/100, "one node of four down: writes keep their quorum")
		st := b.Endpoints()
		assert.False(t, st[1].Up, "the killed node is marked down")

		// Every acknowledged put reads back byte-identical, through the
		// client (three nodes left) and through each live node directly.
		keys := make([]string, 0, len(acked))
		for k := range acked {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			sum, _ := stored(t, b, k)
			require.Equal(t, acked[k], sum, "%s reads back byte-identical", k)
			if i%50 == 0 {
				for _, n := range []int{0, 2, 3} {
					d, err := minio.NewEndpoint(context.Background(), cfg, c.Nodes[n].Endpoint)
					require.NoError(t, err)
					sum, _ := stored(t, d, k)
					d.Close()
					require.Equal(t, acked[k], sum, "%s on node %d", k, n+1)
				}
			}
		}
		victim.Restart(t)
		waitAllUp(t)
	})

	t.Run("one node stopped: fail over within the attempt timeout", func(t *testing.T) {
		data := payload(42, 8<<10)
		for i := range 8 {
			_, err := b.Put(context.Background(), fmt.Sprintf("stop/%d", i), bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
			require.NoError(t, err)
		}
		victim := c.Nodes[2]
		victim.Stop(t)
		stopped := true
		defer func() {
			if stopped {
				victim.Cont(t)
			}
		}()
		const margin = 2 * time.Second // the race detector on two shared cores

		// Until MinIO itself gives up on the frozen peer (about 15 s
		// here), requests hang on the live nodes too, since each waits for
		// the frozen node's drive. The client cannot make MinIO answer;
		// what it guarantees is that no attempt outlives AttemptTimeout
		// and that the caller's deadline holds.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		start := time.Now()
		_, err := b.Stat(ctx, "stop/0")
		cancel()
		t.Logf("stat right after SIGSTOP: %v after %v", err, time.Since(start).Round(time.Millisecond))
		assert.Less(t, time.Since(start), 5*time.Second+margin, "the caller's deadline holds while the cluster stalls")

		// Wait until the cluster serves without the frozen node.
		live, err := minio.NewEndpoint(context.Background(), cfg, c.Nodes[0].Endpoint)
		require.NoError(t, err)
		defer live.Close()
		require.Eventually(t, func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := live.Stat(ctx, "stop/0")
			return err == nil
		}, 90*time.Second, 100*time.Millisecond, "MinIO serves without the stopped node")

		// What the client guarantees with a frozen node is per attempt: no
		// attempt outlives its timeout, the frozen node is left at once and
		// marked down, and no later request goes to it. How long a live
		// node takes to answer is MinIO's doing: a request on a live node
		// may wait driveTimeout for the frozen drive (MinIO does not
		// remember it is stuck), and under load (CI runs every package at
		// once on two cores) past AttemptTimeout, which adds a failover
		// between live nodes. So the bounds below are on each attempt
		// (measured from the attempt events), not on the whole call.
		type op struct {
			name    string
			attempt time.Duration // the longest one attempt may last
			do      func(ctx context.Context, b backend.Backend, i int) error
		}
		ops := []op{
			{"stat", fc.AttemptTimeout, func(ctx context.Context, b backend.Backend, i int) error {
				_, err := b.Stat(ctx, fmt.Sprintf("stop/%d", i%8))
				return err
			}},
			{"get", fc.AttemptTimeout, func(ctx context.Context, b backend.Backend, i int) error {
				rc, _, err := b.Get(ctx, fmt.Sprintf("stop/%d", i%8), backend.WholeObject)
				if err != nil {
					return err
				}
				defer rc.Close()
				got, err := io.ReadAll(rc)
				if err == nil && !bytes.Equal(got, data) {
					err = errors.New("wrong bytes")
				}
				return err
			}},
			{"list", fc.AttemptTimeout, func(ctx context.Context, b backend.Backend, i int) error {
				_, err := b.List(ctx, backend.ListOptions{Prefix: "stop/"})
				return err
			}},
			// A small put's body is in the socket buffer at once: the
			// wait for the answer is bounded by StallTimeout.
			{"put", fc.StallTimeout, func(ctx context.Context, b backend.Backend, i int) error {
				_, err := b.Put(ctx, fmt.Sprintf("stop/new%d", i), bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
				return err
			}},
		}
		// A fresh client per operation kind believes every node up, so
		// that one of its first four requests (round robin) goes to the
		// frozen node and must fail over.
		for _, o := range ops {
			t.Run(o.name, func(t *testing.T) {
				fev := &events{}
				fresh := fev.watch(open(t, cfg, fc, eps...))
				var slowest time.Duration
				for i := range 6 {
					start := time.Now()
					err := o.do(context.Background(), fresh, i)
					end := time.Now()
					require.NoError(t, err, "%s %d", o.name, i)
					assert.Less(t, end.Sub(start), fc.MaxElapsed+margin, "%s %d: the call gives up within MaxElapsed", o.name, i)
					attempts := fev.attempts(start, end)
					for n, d := range attempts {
						// A failed attempt's time includes the backoff after it.
						assert.Less(t, d, o.attempt+fc.MaxDelay+margin, "%s %d: attempt %d of %v", o.name, i, n+1, attempts)
						slowest = max(slowest, d)
					}
					t.Logf("%s %d: attempts %v", o.name, i, attempts)
				}
				st := fresh.Endpoints()[2]
				require.False(t, st.Up, "the stopped node was tried and marked down")
				_, failovers, _ := fev.counts()
				t.Logf("%s: failovers %v", o.name, failovers)
				left := 0
				for _, f := range failovers {
					if strings.Contains(f, " "+victim.Endpoint+"->") {
						left++
					}
				}
				assert.Equal(t, 1, left, "the stopped node is left once, then never tried again: failovers %v", failovers)
				assert.GreaterOrEqual(t, slowest, fc.AttemptTimeout, "the attempt on the frozen node waited out the timeout")
			})
		}
		victim.Cont(t)
		stopped = false
		waitAllUp(t)
	})

	t.Run("two nodes down: reads and listing go on, writes fail fast", func(t *testing.T) {
		data := payload(77, 16<<10)
		want := sha256.Sum256(data)
		put := func(i int) {
			_, err := b.Put(context.Background(), fmt.Sprintf("quorum/%d", i), bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
			require.NoError(t, err)
		}
		for i := range 10 {
			put(i)
		}
		// A write needs only 3 of the 4 drives: right after the earlier
		// subtests a node may still be seen offline by its peers and miss
		// one. Two nodes down would then leave a single shard of that
		// object, below read quorum. Make sure every drive holds every
		// object (writing again any that one missed) before the kill.
		require.Eventually(t, func() bool {
			complete := true
			for i := range 10 {
				for n := range c.Nodes {
					meta := filepath.Join(c.Dir, fmt.Sprintf("node%d", n+1), bucket, "quorum", fmt.Sprint(i), "xl.meta")
					if _, err := os.Stat(meta); err != nil {
						complete = false
						put(i)
						break
					}
				}
			}
			return complete
		}, 30*time.Second, 200*time.Millisecond, "every drive holds every object")
		c.Nodes[2].Kill(t)
		c.Nodes[3].Kill(t)

		for i := range 10 {
			sum, n := stored(t, b, fmt.Sprintf("quorum/%d", i))
			assert.Equal(t, want, sum)
			assert.Equal(t, int64(len(data)), n)
		}
		page, err := b.List(context.Background(), backend.ListOptions{Prefix: "quorum/"})
		require.NoError(t, err)
		assert.Len(t, page.Objects, 10, "listing goes on")

		for i := range 3 {
			key := fmt.Sprintf("quorum/new%d", i)
			start := time.Now()
			_, err := b.Put(context.Background(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
			elapsed := time.Since(start)
			require.Error(t, err, "no write quorum")
			assert.True(t, errors.Is(err, backend.ErrServerBusy) || errors.Is(err, backend.ErrUnavailable), "%v", err)
			var re *failover.RetryError
			assert.ErrorAs(t, err, &re, "the error says it gave up after retries")
			assert.Contains(t, err.Error(), `put "`+key+`"`)
			assert.Less(t, elapsed, 15*time.Second, "fails fast, no hang")
			t.Logf("put with two nodes down: %v after %v", err, elapsed.Round(time.Millisecond))
			_, err = b.Stat(context.Background(), key)
			assert.ErrorIs(t, err, backend.ErrNotFound, "no partial object")
		}
		page, err = b.List(context.Background(), backend.ListOptions{Prefix: "quorum/"})
		require.NoError(t, err)
		assert.Len(t, page.Objects, 10, "no partial object in the listing")
	})
}
