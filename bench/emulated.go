package main

import (
	"context"
	"fmt"
)

// The gcs and azblob workloads: objstore's GCS driver on fake-gcs-server
// and its Azure driver on Azurite, each against gocloud's driver for the
// same service and the service's own Go client, in one run on one server
// per workload. The rows are the MinIO put/get rows (runPutGet, the same
// sizes and batches) and the 10,000-key listing (runList, with its child
// processes for peak RSS), and on Azurite the unknown-size put of
// -bigsize bytes (runBigPut, in child processes). fake-gcs-server gets no
// unknown-size put unless -gcs-bigput asks for it: see gcsNoBigPut.

// emulatorWorkload is one emulator and its contestants (allStores with
// server == name).
type emulatorWorkload struct {
	name    string // the workload's name for -run, and the contestants' server
	title   string
	start   func(tmpRoot string) (*server, error)
	version func() string
	seed    string // the raw client: writes the objects every contestant gets and lists
	intro   string // %s: the server's version
	notes   []string
	// noBigPut, when set, says why the workload leaves out the
	// unknown-size put (unless forced with -gcs-bigput).
	noBigPut string
}

// bucketMakers create the bucket (container) t.Bucket on each emulator;
// the emulators' contestants add them (store_gcs.go, store_azure.go).
var bucketMakers = map[string]func(ctx context.Context, t target) error{}

var emulatorWorkloads = []emulatorWorkload{
	{
		name:    serverGCS,
		title:   "Google Cloud Storage drivers on one local fake-gcs-server",
		start:   startFakeGCS,
		version: fakeGCSVersion,
		seed:    nameGCSStorage,
		intro: "Sequential operations of one client on one %s (memory backend, plain HTTP, no authentication) " +
			"on this machine, 127.0.0.1. Higher is better unless marked. Each cell is the median of the rounds; the last " +
			"column divides objstore's figure by the best peer's (above 1.00x: objstore is faster or leaner).",
		notes: []string{
			"objstore (gcs): `objstore.New(gcs.New(ctx, gcs.Config{Bucket, Endpoint: \"http://127.0.0.1:PORT/storage/v1/\", " +
				"Anonymous: true}))`, what `gs://bench?endpoint=...&anonymous=true` opens: the driver's defaults (16 MiB chunks, " +
				"5 attempts, XML reads, CRC32C declared with every upload and compared with the stored object's).",
			"gocloud gcsblob: `gcsblob.OpenBucket` with an anonymous `gcp.HTTPClient` and `option.WithEndpoint`; `WriteAll`, " +
				"`NewReader`, `List`, defaults.",
			"cloud.google.com/go/storage: `storage.NewClient(ctx, option.WithEndpoint(...), option.WithoutAuthentication())`; " +
				"`Object.NewWriter` and io.Copy, `NewReader`, `Objects`, defaults (16 MiB chunks). It also writes the objects " +
				"every contestant gets and lists.",
			"Where the time goes. Gets: the driver reads the object's attributes (a JSON GET) before its bytes (an XML GET), " +
				"so that the info it returns describes the bytes read (backend/gcs/get.go): two round trips where the peers " +
				"make one, which is most of the small get rows; the client then checks the CRC32C of a whole-object read " +
				"(backend.VerifyReader) after the storage library's own check. Puts: the storage library's Writer allocates and " +
				"zeroes its whole chunk buffer (16 MiB by default) for every upload, even of 1 KiB, which is the peers' small " +
				"puts; the driver sizes the buffer to a known size. Listing: fake-gcs-server answers a listing without " +
				"maxResults with every key in one page, and the raw client sends none (one request for 10,000 keys), where " +
				"GCS returns at most 1,000 per page; the driver (pages of 1,002 by startOffset, backend/gcs/list.go) and " +
				"gcsblob (1,000) make 10 requests, as all three would on GCS.",
		},
		noBigPut: gcsNoBigPut,
	},
	{
		name:    serverAzure,
		title:   "Azure Blob Storage drivers on one local Azurite",
		start:   startAzurite,
		version: azuriteVersion,
		seed:    nameAzblob,
		intro: "Sequential operations of one client on one %s blob service (in memory, plain HTTP, its well-known " +
			"development account and shared key) on this machine, 127.0.0.1. Higher is better unless marked. Each cell " +
			"is the median of the rounds; the last column divides objstore's figure by the best peer's (above 1.00x: " +
			"objstore is faster or leaner).",
		notes: []string{
			"objstore (azblob): `objstore.New(gocloud.NewAzure(ctx, gocloud.AzureConfig{Container, ServiceURL, AccountName, " +
				"AccountKey}))`, what `azblob://bench` opens with AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY: the driver's " +
				"defaults (gocloud's azureblob underneath: UploadStream with 8 MiB blocks, 5 at a time; the Content-MD5 of " +
				"every blob computed and committed with it; keys through AzureKeys).",
			"gocloud azureblob: `azureblob.OpenBucket` on a `container.Client` with the shared key; `WriteAll`, `NewReader`, " +
				"`List`, defaults.",
			"azure-sdk-for-go azblob: `azblob.Client` with the shared key; `UploadBuffer` (one Put Blob up to 256 MiB), " +
				"`DownloadStream`, or above 4 MiB the parallel `DownloadBuffer` (4 MiB blocks, 5 at a time) into a buffer " +
				"kept across gets (what its users do for a large blob, as the aws-sdk-go-v2 Downloader on MinIO), " +
				"`NewListBlobsFlatPager`, defaults. It also writes the objects every contestant gets and lists.",
			"Where the time goes. Gets: an unconditional get is one Get Blob, as the peers' (backend/gocloud/getazure.go); " +
				"the client then checks the blob's Content-MD5 over every whole-object read (backend.VerifyReader), one MD5 " +
				"pass on one core, which bounds the large gets (the peers check nothing). Puts: the driver computes the MD5 " +
				"of every blob to send it as Content-MD5; a put of known size up to 8 MiB, or up to 256 MiB from an " +
				"io.ReaderAt, is then one Put Blob as the raw client's UploadBuffer (backend/gocloud/putazure.go); other " +
				"puts go through gocloud's UploadStream, which copies the source into 8 MiB blocks, 5 in flight (a Put " +
				"Block each and a Put Block List): its five 8 MiB buffers are the unknown-size put's memory growth, where the " +
				"raw UploadStream holds one 1 MiB block.",
		},
	},
}

// gcsNoBigPut says why the fake-gcs-server table has no unknown-size
// put row.
const gcsNoBigPut = "No unknown-size put of 1 GiB on fake-gcs-server: its memory backend appends every chunk of a " +
	"resumable upload to the object and then computes the CRC32C and MD5 of everything received so far " +
	"(fakestorage/upload.go, uploadFileContent), so a 1 GiB upload in 16 MiB chunks hashes some 32 GiB: 5 to 9 MiB/s, " +
	"2 to 3 minutes per put, for every contestant alike; that measures the emulator, not the clients. " +
	"`-gcs-bigput` runs it anyway."

// runEmulator runs one emulator workload and returns its table.
func runEmulator(ctx context.Context, cfg *settings, w emulatorWorkload) (*comparison, error) {
	cfg.logf("%s: starting the emulator", w.name)
	srv, err := w.start("")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	t := target{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Bucket: benchBucket}
	makeBucket, ok := bucketMakers[w.name]
	if !ok {
		return nil, fmt.Errorf("%s: this build has no contestants for it (built with -tags leanchild)", w.name)
	}
	if err := makeBucket(ctx, t); err != nil {
		return nil, fmt.Errorf("%s: creating the bucket: %w", w.name, err)
	}
	seed, err := openStore(ctx, w.seed, t)
	if err != nil {
		return nil, err
	}
	defer seed.Close()
	c := &comparison{title: w.title, intro: fmt.Sprintf(w.intro, w.version()), notes: w.notes}
	var stores []store
	for _, s := range allStores {
		if s.server != w.name || cfg.picked != nil && !cfg.picked[s.name] {
			continue
		}
		st, err := s.open(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", s.name, err)
		}
		defer st.Close()
		stores = append(stores, st)
		c.columns = append(c.columns, s.name)
		if s.objstore {
			c.objstore = append(c.objstore, s.name)
		}
	}
	rows, err := runPutGet(ctx, cfg, stores, seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.name, err)
	}
	c.rows = append(c.rows, rows...)
	if cfg.ops["list"] {
		lcfg := *cfg
		lcfg.listKeys = smallListing
		data := &listData{put: func(ctx context.Context, key string) error { return seed.Put(ctx, key, []byte("x")) }}
		rows, err := runList(ctx, &lcfg, t, stores, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.name, err)
		}
		c.rows = append(c.rows, rows...)
	}
	if !cfg.ops["put"] {
		// no put rows asked for (-ops)
	} else if w.noBigPut == "" || w.name == serverGCS && cfg.gcsBigPut {
		rows, err := runBigPut(ctx, cfg, t, stores)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.name, err)
		}
		c.rows = append(c.rows, rows...)
	} else {
		c.notes = append(c.notes, w.noBigPut)
	}
	return c, nil
}
