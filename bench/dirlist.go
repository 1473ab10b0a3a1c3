package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gocloud.dev/blob/memblob"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Directory listing (issue 13): one level of a prefix that holds
// dirKeys keys under one common prefix per 10,000 of them ("list/" of the
// list workload's keys: list/g000/ ... list/g009/ by default), listed with
// the delimiter "/" by every contestant, each through its library's own
// directory listing.
//
// On MinIO the keys are the list workload's, written once per run and
// shared with it (listData). Every contestant lists in interleaved rounds
// with an HTTP transport of its own that counts its requests: all of
// them, and the ListObjectsV2 requests among them. A flat listing of the
// same prefix, once per contestant, shows what a listing that does not
// roll folders up costs. The objstore client lists with Client.List: by
// default it checks whether each folder is a stream object (a HEAD and a
// one-key listing per folder, docs/listing.md); the PlainPrefixes columns
// are the same listing without that check.
//
// On mem and fs the same keys are put through the client (populateConc
// at a time) and listed the same way; a middleware counts the backend's
// List and Stat calls. The peers are gocloud's memblob (List with
// Delimiter) and os.ReadDir of the directory (what ls does; the fs
// driver also reads each subdirectory up to its first object, to leave
// out directories that hold none).

// dirMinKeys is the number of keys of the directory listing unless
// -listkeys asks for more: the figure.
const dirMinKeys = 100_000

// dirPrefix is the prefix listed.
const dirPrefix = "list/"

// The rows of the MinIO table that the targets read.
const (
	dirListsRow = "ListObjectsV2 requests of that listing"
	dirReqsRow  = "HTTP requests of that listing"
)

// plainSuffix names the PlainPrefixes column of an objstore contestant.
const plainSuffix = ", PlainPrefixes"

func dirKeys(cfg *settings) int { return max(cfg.listKeys, dirMinKeys) }

// dirGroups is the number of common prefixes under dirPrefix of n keys.
func dirGroups(n int) int { return (n + smallListing - 1) / smallListing }

func dirRowName(n int) string {
	return fmt.Sprintf("list one level: %d prefixes over %s keys", dirGroups(n), thousands(n))
}

// plainName is the name of the PlainPrefixes column of contestant name:
// "objstore (minio)" gives "objstore (minio, PlainPrefixes)".
func plainName(name string) string { return strings.TrimSuffix(name, ")") + plainSuffix + ")" }

// dirCounted is one contestant of the MinIO table, with its transport.
type dirCounted struct {
	s     store
	ct    *countingTransport
	flat  bool // also measure the flat listing (not for the PlainPrefixes twins)
	mu    sync.Mutex
	reqs  []float64
	lists []float64
}

func runDirList(ctx context.Context, cfg *settings, t target, data *listData) (*comparison, error) {
	n := dirKeys(cfg)
	groups := dirGroups(n)
	cfg.logf("dirlist: populating %d keys", n)
	if err := data.ensure(ctx, n); err != nil {
		return nil, err
	}
	var cs []*dirCounted
	open := func(name string, plain bool) error {
		ct := &countingTransport{next: newTransport()}
		tt := t
		tt.Transport = ct
		s, err := openStore(ctx, name, tt)
		if err != nil {
			return fmt.Errorf("opening %s: %w", name, err)
		}
		if plain {
			o := s.(*objstoreStore)
			o.plain, o.name = true, plainName(o.name)
		}
		cs = append(cs, &dirCounted{s: s, ct: ct, flat: !plain})
		return nil
	}
	for _, name := range cfg.stores {
		if err := open(name, false); err != nil {
			return nil, err
		}
		if name == nameObjMinIO || name == nameObjS3 {
			if err := open(name, true); err != nil {
				return nil, err
			}
		}
	}
	defer func() {
		for _, c := range cs {
			c.s.Close()
		}
	}()
	comp := &comparison{
		title: "Directory listing on one local MinIO server",
		intro: fmt.Sprintf("One level of %q, which holds %s one-byte keys under %d common prefixes (the list rows' keys), listed "+
			"with the delimiter \"/\" through each library's own directory listing; every listing must give the %d prefixes "+
			"and no object. Requests are counted by an http.RoundTripper under each contestant's client. Each time is the "+
			"median of the rounds; the request counts are the same in every round.", dirPrefix, thousands(n), groups, groups),
		notes: dirNotes,
	}
	var contenders []contender
	for _, c := range cs {
		name := c.s.Name()
		comp.columns = append(comp.columns, name)
		if strings.HasPrefix(name, "objstore") {
			comp.objstore = append(comp.objstore, name)
		}
		contenders = append(contenders, contender{name, func(ctx context.Context, _ int) (float64, error) {
			reqs, lists := c.ct.n.Load(), c.ct.lists.Load()
			start := time.Now()
			objs, prefixes, err := c.s.ListDir(ctx, dirPrefix)
			ms := float64(time.Since(start).Nanoseconds()) / 1e6
			if err == nil && (objs != 0 || prefixes != groups) {
				err = fmt.Errorf("listed %d objects and %d prefixes under %q, want 0 and %d", objs, prefixes, dirPrefix, groups)
			}
			c.mu.Lock()
			c.reqs = append(c.reqs, float64(c.ct.n.Load()-reqs))
			c.lists = append(c.lists, float64(c.ct.lists.Load()-lists))
			c.mu.Unlock()
			return ms, err
		}})
	}
	cfg.logf("dirlist: %s", dirRowName(n))
	times, err := interleave(ctx, "directory listing", cfg.rounds, contenders)
	if err != nil {
		return nil, err
	}
	lists, reqs, flat := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, c := range cs {
		lists[c.s.Name()], reqs[c.s.Name()] = median(c.lists), median(c.reqs)
		if !c.flat {
			continue
		}
		cfg.logf("dirlist: a flat listing of %s keys: %s", thousands(n), c.s.Name())
		before := c.ct.lists.Load()
		got, err := c.s.List(ctx, dirPrefix)
		if err == nil && got != n {
			err = fmt.Errorf("listed %d keys under %q, want %d", got, dirPrefix, n)
		}
		if err != nil {
			return nil, fmt.Errorf("flat listing, %s: %w", c.s.Name(), err)
		}
		flat[c.s.Name()] = float64(c.ct.lists.Load() - before)
	}
	comp.rows = []compRow{
		{name: dirRowName(n), unit: "ms", values: times},
		{name: dirListsRow, unit: "requests", values: lists, counts: true},
		{name: dirReqsRow, unit: "requests", values: reqs, counts: true},
		{name: fmt.Sprintf("ListObjectsV2 requests of a flat listing of the same %s keys", thousands(n)), unit: "requests", values: flat, counts: true},
	}
	return comp, nil
}

// dirNotes say how each contestant lists one level.
var dirNotes = []string{
	"objstore: `Client.List(ctx, \"list/\", objstore.ListOptions{})`, the directory listing of `objstore ls`: the driver " +
		"lists with the delimiter (MinIO driver: `ListObjectsV2` with `delimiter=/`; S3 driver: the same through " +
		"aws-sdk-go-v2), and the client checks whether each folder is a stream object (a HEAD of its marker and a " +
		"one-key listing of its chunks, 8 folders at a time; docs/listing.md). The PlainPrefixes columns are the same " +
		"call with `ListOptions{PlainPrefixes: true}`: the listing alone.",
	"minio-go: `ListObjects` without `Recursive` (delimiter \"/\"). aws-sdk-go-v2: the `ListObjectsV2` paginator with " +
		"`Delimiter: \"/\"`. gocloud s3blob: `List` with `Delimiter: \"/\"`. thanos objstore: `Iter` without " +
		"`WithRecursiveIter` (minio-go underneath).",
	"The flat listing row is each library's listing of every key under the prefix (as in the list rows), counted once.",
}

// countingBackend is a middleware that counts the List and Stat calls
// that reach the backend.
type countingBackend struct {
	backend.Backend
	lists, stats atomic.Int64
}

func (c *countingBackend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	c.lists.Add(1)
	return c.Backend.List(ctx, opts)
}

func (c *countingBackend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	c.stats.Add(1)
	return c.Backend.Stat(ctx, key)
}

// Unwrap lets backend.As find the capabilities of the driver.
func (c *countingBackend) Unwrap() backend.Backend { return c.Backend }

// Names of the columns of the local directory-listing table.
const nameOSReadDir = "os.ReadDir"

// localDir is one objstore client of the local table, with its counter.
type localDir struct {
	name  string
	c     *objstore.Client
	cnt   *countingBackend
	plain bool
}

func (l *localDir) list(ctx context.Context, groups int) (float64, error) {
	start := time.Now()
	objs, prefixes := 0, 0
	for e, err := range l.c.List(ctx, dirPrefix, objstore.ListOptions{PlainPrefixes: l.plain}) {
		if err != nil {
			return 0, err
		}
		if e.IsPrefix || e.IsStream {
			prefixes++
		} else {
			objs++
		}
	}
	ms := float64(time.Since(start).Nanoseconds()) / 1e6
	if objs != 0 || prefixes != groups {
		return 0, fmt.Errorf("%s listed %d objects and %d prefixes under %q, want 0 and %d", l.name, objs, prefixes, dirPrefix, groups)
	}
	return ms, nil
}

// runDirListLocal is the directory listing on the mem and fs drivers.
func runDirListLocal(ctx context.Context, cfg *settings) (*comparison, error) {
	n := dirKeys(cfg)
	groups := dirGroups(n)
	dir, err := os.MkdirTemp("", "objstore-bench-dirlist-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fsDir := filepath.Join(dir, "fs")
	fsb, err := fs.New(fsDir)
	if err != nil {
		return nil, err
	}
	memb := mem.New()
	var clients []*localDir
	for _, d := range []struct {
		name string
		b    backend.Backend
	}{{nameMem, memb}, {nameFS, fsb}} {
		for _, plain := range []bool{false, true} {
			cnt := &countingBackend{}
			c := objstore.New(d.b, objstore.WithMiddleware(func(b backend.Backend) backend.Backend { cnt.Backend = b; return cnt }))
			name := d.name
			if plain {
				name = plainName(name)
			}
			clients = append(clients, &localDir{name: name, c: c, cnt: cnt, plain: plain})
		}
	}
	// The twins share a backend: close it once, through the first.
	defer clients[0].c.Close()
	defer clients[2].c.Close()
	mb := memblob.OpenBucket(nil)
	defer mb.Close()

	cfg.logf("dirlist: putting %d keys on mem, memblob and fs", n)
	start := time.Now()
	err = parallel(ctx, n, func(ctx context.Context, i int) error {
		key := listKey(i)
		for _, c := range []*objstore.Client{clients[0].c, clients[2].c} {
			if _, err := c.PutObject(ctx, key, strings.NewReader("x"), nil); err != nil {
				return err
			}
		}
		return mb.WriteAll(ctx, key, []byte("x"), nil)
	})
	if err != nil {
		return nil, err
	}
	cfg.logf("dirlist: put in %v", time.Since(start).Round(time.Millisecond))

	comp := &comparison{
		title: "Directory listing on the local drivers",
		intro: fmt.Sprintf("The same listing on mem and fs: one level of %q, which holds %s keys under %d common prefixes, "+
			"through `Client.List` (with and without its stream check, as on MinIO), against gocloud's memblob (`List` with "+
			"`Delimiter: \"/\"`) and `os.ReadDir` of the directory (what ls does; the fs driver also reads each "+
			"subdirectory up to its first object, to leave out directories that hold none). Backend calls are counted by a "+
			"middleware under the client.", dirPrefix, thousands(n), groups),
		columns:  []string{nameMem, plainName(nameMem), nameFS, plainName(nameFS), nameMemblob, nameOSReadDir},
		objstore: []string{nameMem, plainName(nameMem), nameFS, plainName(nameFS)},
	}
	osDir := filepath.Join(fsDir, strings.TrimSuffix(dirPrefix, "/"))
	contenders := func(ours []*localDir, peer string, peerList func(ctx context.Context) (int, error)) []contender {
		var cs []contender
		for _, l := range ours {
			cs = append(cs, contender{l.name, func(ctx context.Context, _ int) (float64, error) { return l.list(ctx, groups) }})
		}
		return append(cs, contender{peer, func(ctx context.Context, _ int) (float64, error) {
			start := time.Now()
			got, err := peerList(ctx)
			ms := float64(time.Since(start).Nanoseconds()) / 1e6
			if err == nil && got != groups {
				err = fmt.Errorf("%s listed %d prefixes under %q, want %d", peer, got, dirPrefix, groups)
			}
			return ms, err
		}})
	}
	cfg.logf("dirlist: mem")
	memTimes, err := interleave(ctx, "mem directory listing", cfg.rounds, contenders(clients[:2], nameMemblob, func(ctx context.Context) (int, error) {
		objs, prefixes, err := listBlobDir(ctx, mb, dirPrefix)
		if err == nil && objs != 0 {
			err = fmt.Errorf("memblob listed %d objects under %q, want none", objs, dirPrefix)
		}
		return prefixes, err
	}))
	if err != nil {
		return nil, err
	}
	cfg.logf("dirlist: fs")
	fsTimes, err := interleave(ctx, "fs directory listing", cfg.rounds, contenders(clients[2:], nameOSReadDir, func(context.Context) (int, error) {
		ents, err := os.ReadDir(osDir)
		return len(ents), err
	}))
	if err != nil {
		return nil, err
	}
	// One more listing each, counted alone.
	lists, stats := map[string]float64{}, map[string]float64{}
	for _, l := range clients {
		l0, s0 := l.cnt.lists.Load(), l.cnt.stats.Load()
		if _, err := l.list(ctx, groups); err != nil {
			return nil, err
		}
		lists[l.name], stats[l.name] = float64(l.cnt.lists.Load()-l0), float64(l.cnt.stats.Load()-s0)
	}
	comp.rows = []compRow{
		{name: "mem: " + dirRowName(n), unit: "ms", values: memTimes},
		{name: "fs: " + dirRowName(n), unit: "ms", values: fsTimes},
		{name: "backend List calls of that listing", unit: "calls", values: lists, counts: true},
		{name: "backend Stat calls of that listing", unit: "calls", values: stats, counts: true},
	}
	return comp, nil
}

// parallel runs op(i) for i in [0, n), populateConc at a time, and
// returns the first error (the others stop).
func parallel(ctx context.Context, n int, op func(ctx context.Context, i int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range populateConc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				if err := op(ctx, int(i)); err != nil {
					once.Do(func() { first = fmt.Errorf("item %d: %w", i, err); cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// newTransport is a fresh HTTP transport, as each library's default
// client would have.
func newTransport() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() }
