package main

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
)

// store is one contestant: a client library used the way its
// documentation shows, with its defaults, against the benchmark's MinIO
// server. Every method is one user-level operation.
type store interface {
	// Name is the column name in the table.
	Name() string
	// Put stores data under key, the size known (a []byte in hand).
	Put(ctx context.Context, key string, data []byte) error
	// PutUnknown stores what r delivers, the size unknown (a pipe).
	PutUnknown(ctx context.Context, key string, r io.Reader) error
	// Get reads the whole object into w and returns the byte count.
	// size is the object's size as the caller knows it, which a library
	// may use to choose its API (aws-sdk-go-v2's Downloader for large
	// objects, as its users do).
	Get(ctx context.Context, key string, size int64, w io.Writer) (int64, error)
	// List counts the objects under prefix (every key, not only one
	// "directory" level).
	List(ctx context.Context, prefix string) (int, error)
	// ListDir lists one level under prefix with the delimiter "/", the
	// library's directory listing, and counts the objects and the common
	// prefixes it lists.
	ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error)
	Close() error
}

// target is what a contestant needs to reach the server.
type target struct {
	Endpoint  string // 127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
	Bucket    string
	// Transport, when set, is the HTTP transport every contestant's
	// client must use (the stream workload counts requests with it);
	// nil: each library's default.
	Transport http.RoundTripper `json:"-"`
}

func (t target) URL() string { return "http://" + t.Endpoint }

// Names of the contestants, in the order of the table's columns.
const (
	nameObjMinIO = "objstore (minio)"
	nameObjS3    = "objstore (s3)"
	// nameObjMinIONoCheck is an extra column of the put/get rows only.
	nameObjMinIONoCheck = "objstore (minio, SkipConflictCheck)"
	nameMinioGo         = "minio-go"
	nameAWS             = "aws-sdk-go-v2"
	nameGocloud         = "gocloud s3blob"
	nameThanos          = "thanos objstore"
)

// Servers the contestants run on: the MinIO workloads', and the
// emulator workloads' (the workload names "gcs" and "azblob").
// The contestants of the emulators (store_gcs.go, store_azure.go).
const (
	nameObjGCS     = "objstore (gcs)"
	nameGcsblob    = "gocloud gcsblob"
	nameGCSStorage = "cloud.google.com/go/storage"
	nameObjAzure   = "objstore (azblob)"
	nameAzureblob  = "gocloud azureblob"
	nameAzblob     = "azure-sdk-for-go azblob"
)

const (
	serverMinIO = "minio"
	serverGCS   = "gcs"
	serverAzure = "azblob"
)

// contestant is one library on one server.
type contestant struct {
	name     string
	server   string
	objstore bool
	open     func(ctx context.Context, t target) (store, error)
}

// allStores lists every contestant's constructor, objstore first within
// each server. The contestants of the emulators add themselves
// (store_gcs.go, store_azure.go), except in the lean build of the
// children that measure memory (child.go).
var allStores = []contestant{
	{nameObjMinIO, serverMinIO, true, openObjstoreMinIO},
	{nameObjS3, serverMinIO, true, openObjstoreS3},
	{nameMinioGo, serverMinIO, false, openMinioGo},
	{nameAWS, serverMinIO, false, openAWS},
	{nameGocloud, serverMinIO, false, openGocloud},
	{nameThanos, serverMinIO, false, openThanos},
}

// openStore opens the contestant called name.
func openStore(ctx context.Context, name string, t target) (store, error) {
	for _, s := range allStores {
		if s.name == name {
			return s.open(ctx, t)
		}
	}
	return nil, errUnknownStore(name)
}

type errUnknownStore string

func (e errUnknownStore) Error() string { return "unknown contestant " + string(e) }

// countingTransport counts the HTTP requests it sends, and among them the
// ListObjectsV2 requests (GET ?list-type=2) and the HEADs.
type countingTransport struct {
	next  http.RoundTripper
	n     atomic.Int64
	lists atomic.Int64
	heads atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	switch {
	case r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2":
		c.lists.Add(1)
	case r.Method == http.MethodHead:
		c.heads.Add(1)
	}
	return c.next.RoundTrip(r)
}

// copyBufSize is the buffer of a Get's copy: io.Copy's own size, so that
// a reader is read the way most code reads it.
const copyBufSize = 32 << 10

// drain copies r into w with a copyBufSize buffer, hiding WriterTo and
// ReaderFrom so every library's reader gets the same Read calls.
func drain(w io.Writer, r io.Reader, buf []byte) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{r}, buf)
}
