package main

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	assert.True(t, math.IsNaN(median(nil)))
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, percentile(ds, 50))
	assert.Equal(t, 99*time.Millisecond, percentile(ds, 99))
	assert.Equal(t, 100*time.Millisecond, percentile(ds, 100))
	assert.Equal(t, time.Duration(0), percentile(nil, 50))
}

func TestRatioToBest(t *testing.T) {
	best, r := ratioToBest(120, []float64{100, 80, math.NaN()}, true)
	assert.Equal(t, 100.0, best)
	assert.InDelta(t, 1.2, r, 1e-9)
	// Lower is better (memory): half the best peer's memory is 2x.
	best, r = ratioToBest(30, []float64{60, 90}, false)
	assert.Equal(t, 60.0, best)
	assert.InDelta(t, 2.0, r, 1e-9)
	_, r = ratioToBest(10, nil, true)
	assert.True(t, math.IsNaN(r))
}

func TestComparisonTable(t *testing.T) {
	c := &comparison{
		title:    "T",
		columns:  []string{"ours", "a", "b"},
		objstore: []string{"ours"},
		rows: []compRow{
			{name: "put", unit: "ops/s", higherBetter: true, values: map[string]float64{"ours": 90, "a": 100, "b": 50}},
			{name: "rss", unit: "MiB", values: map[string]float64{"ours": 20, "a": 40}},
		},
	}
	tb := c.table()
	require.Len(t, tb.rows, 2)
	assert.Equal(t, []string{"put", "ops/s", "90.0", "100", "50.0", "100", "0.90x"}, tb.rows[0])
	assert.Equal(t, []string{"rss", "MiB (lower is better)", "20.0", "40.0", "–", "40.0", "2.00x"}, tb.rows[1])
	var buf bytes.Buffer
	tb.markdown(&buf)
	assert.Contains(t, buf.String(), "| workload | unit | ours | a | b | best peer | ours ÷ best |")
}

func TestTargetsVerdicts(t *testing.T) {
	r := &report{cfg: &settings{rounds: 1}, remote: &comparison{
		columns: []string{"ours", "peer"}, objstore: []string{"ours"},
		rows: []compRow{
			{name: "put 1 KiB", unit: "ops/s", higherBetter: true, values: map[string]float64{"ours": 99, "peer": 100}},
			{name: "get 64 MiB", unit: "MiB/s", higherBetter: true, values: map[string]float64{"ours": 130, "peer": 100}},
		},
	}}
	var buf bytes.Buffer
	r.targets(&buf)
	out := buf.String()
	assert.Contains(t, out, "**NOT met** — ours: every put/get row ≥ 1.00x the best peer: put 1 KiB 0.99x")
	assert.Contains(t, out, "**met** — ours: 64 MiB and more ≥ 1.1x the best peer")
	r.remote.rows[0].values["ours"] = 100
	r.remote.rows[1].values["ours"] = 109
	buf.Reset()
	r.targets(&buf)
	assert.Contains(t, buf.String(), "**met** — ours: every put/get row ≥ 1.00x the best peer")
	assert.Contains(t, buf.String(), "**NOT met** — ours: 64 MiB and more ≥ 1.1x the best peer: get 64 MiB 1.09x")

	// mem against memblob and the emulated drivers: every row ≥ 1.00x.
	r = &report{cfg: &settings{rounds: 1}, local: []*comparison{{
		columns: []string{nameMem, nameMemblob}, objstore: []string{nameMem},
		rows: []compRow{
			{name: "put 1 KiB", unit: "ops/s", higherBetter: true, values: map[string]float64{nameMem: 3, nameMemblob: 1}},
			{name: "get 1 MiB", unit: "MiB/s", higherBetter: true, values: map[string]float64{nameMem: 1, nameMemblob: 2}},
		},
	}}, emulated: []*comparison{{
		columns: []string{"ours (gcs)", "peer"}, objstore: []string{"ours (gcs)"},
		rows: []compRow{{name: "list 10,000 keys", unit: "keys/s", higherBetter: true, values: map[string]float64{"ours (gcs)": 2, "peer": 1}}},
	}}}
	buf.Reset()
	r.targets(&buf)
	assert.Contains(t, buf.String(), "**NOT met** — "+nameMem+": every put, get and list row ≥ 1.00x the best peer: put 1 KiB 3.00x; get 1 MiB 0.50x")
	assert.Contains(t, buf.String(), "**met** — ours (gcs): every put, get and list row ≥ 1.00x the best peer: list 10,000 keys 2.00x")
}

func TestPatternIsUnknownSizeAndExact(t *testing.T) {
	p := newPattern(3<<20 + 5)
	var r io.Reader = p
	_, isSeeker := r.(io.Seeker)
	_, isReaderAt := r.(io.ReaderAt)
	_, isWriterTo := r.(io.WriterTo)
	assert.False(t, isSeeker || isReaderAt || isWriterTo, "the source must look like a pipe")
	n, err := io.Copy(io.Discard, p)
	require.NoError(t, err)
	assert.Equal(t, int64(3<<20+5), n)
}

func TestListKeys(t *testing.T) {
	assert.Equal(t, "list/g000/00000", listKey(0))
	assert.Equal(t, "list/g009/09999", listKey(99_999))
	assert.True(t, strings.HasPrefix(listKey(9_999), listPrefix(smallListing)))
	assert.False(t, strings.HasPrefix(listKey(10_000), listPrefix(smallListing)))
	assert.Equal(t, "list/", listPrefix(100_000))
	assert.True(t, validListKeys(100_000))
	assert.False(t, validListKeys(12_345))
	assert.Equal(t, "100,000", thousands(100_000))
	assert.Equal(t, "1 GiB", sizeLabel(1<<30))
	assert.Equal(t, "64 KiB", sizeLabel(64<<10))
}

func TestDirList(t *testing.T) {
	assert.Equal(t, "objstore (minio, PlainPrefixes)", plainName(nameObjMinIO))
	assert.Equal(t, 10, dirGroups(100_000))
	assert.Equal(t, 100, dirGroups(1_000_000))
	assert.Equal(t, 100_000, dirKeys(&settings{listKeys: 10_000}))
	assert.Equal(t, 1_000_000, dirKeys(&settings{listKeys: 1_000_000}))
	assert.Equal(t, "list one level: 10 prefixes over 100,000 keys", dirRowName(100_000))
	// Every key of the first 100,000 is under one of the 10 prefixes.
	assert.Equal(t, "list/g009/", listKey(99_999)[:len("list/g009/")])
}

// The transport counts every request, and ListObjectsV2 and HEAD ones.
func TestCountingTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	ct := &countingTransport{next: newTransport()}
	defer ct.next.(*http.Transport).CloseIdleConnections()
	c := &http.Client{Transport: ct}
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/bench/?list-type=2&delimiter=%2F&prefix=list%2F"},
		{http.MethodGet, "/bench/?location="},
		{http.MethodHead, "/bench/k"},
		{http.MethodGet, "/bench/k"},
	} {
		req, err := http.NewRequest(r.method, srv.URL+r.path, nil)
		require.NoError(t, err)
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.Equal(t, int64(4), ct.n.Load())
	assert.Equal(t, int64(1), ct.lists.Load())
	assert.Equal(t, int64(1), ct.heads.Load())
}

func TestCountsPrintWhole(t *testing.T) {
	r := compRow{counts: true}
	assert.Equal(t, "1", r.fmt(1))
	assert.Equal(t, "101", r.fmt(101))
	assert.Equal(t, "1.50", r.fmt(1.5))
	assert.Equal(t, "1.00", compRow{}.fmt(1))
}

func TestDirListVerdicts(t *testing.T) {
	r := &report{cfg: &settings{rounds: 1}, dirlist: &comparison{
		columns: []string{"ours", "ours, plain", "peer"}, objstore: []string{"ours", "ours, plain"},
		rows: []compRow{
			{name: dirRowName(100_000), unit: "ms", values: map[string]float64{"ours": 9, "ours, plain": 3, "peer": 4}},
			{name: dirListsRow, unit: "requests", counts: true, values: map[string]float64{"ours": 11, "ours, plain": 1, "peer": 1}},
			{name: dirReqsRow, unit: "requests", counts: true, values: map[string]float64{"ours": 21, "ours, plain": 1, "peer": 1}},
		},
	}}
	var buf bytes.Buffer
	r.targets(&buf)
	out := buf.String()
	assert.Contains(t, out, "**NOT met** — ours: directory listing of 10 prefixes over 100,000 keys in as many ListObjectsV2 "+
		"requests as the best peer (issue 13): 11 ListObjectsV2 requests (best peer 1), 21 HTTP requests in all, 9.00 ms")
	assert.Contains(t, out, "**met** — ours, plain: directory listing of 10 prefixes over 100,000 keys in as many ListObjectsV2 "+
		"requests as the best peer (issue 13): 1 ListObjectsV2 requests (best peer 1), 1 HTTP requests in all, 3.00 ms")
}

// -stores takes any workload's contestants; MinIO's keep their own list.
func TestStoresAndOpsFlags(t *testing.T) {
	c, _, err := parseFlags([]string{"-stores", "objstore (gcs),minio-go", "-ops", "get"})
	require.NoError(t, err)
	assert.Equal(t, []string{nameMinioGo}, c.stores)
	assert.Equal(t, map[string]bool{nameObjGCS: true, nameMinioGo: true}, c.picked)
	assert.Equal(t, map[string]bool{"get": true}, c.ops)
	c, _, err = parseFlags(nil)
	require.NoError(t, err)
	assert.Nil(t, c.picked)
	assert.Equal(t, storeNames(serverMinIO), c.stores)
	assert.True(t, c.run[serverGCS] && c.run[serverAzure], "make bench runs the emulator workloads")
	_, _, err = parseFlags([]string{"-ops", "head"})
	assert.Error(t, err)
	_, _, err = parseFlags([]string{"-stores", "nope"})
	assert.Error(t, err)
}

// Every emulator workload has one objstore contestant and peers, and its
// seed is one of its contestants.
func TestEmulatorWorkloads(t *testing.T) {
	for _, w := range emulatorWorkloads {
		assert.Contains(t, workloads, w.name)
		assert.Contains(t, storeNames(w.name), w.seed)
		objs := 0
		for _, s := range allStores {
			if s.server == w.name && s.objstore {
				objs++
			}
		}
		assert.Equal(t, 1, objs, w.name)
		assert.Greater(t, len(storeNames(w.name)), 1, w.name)
	}
}
