//go:build !leanchild

package main

import (
	"bytes"
	"context"
	"errors"
	"io"

	"cloud.google.com/go/storage"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/gcs"
)

// The contestants of the gcs workload, on fake-gcs-server. Each talks to
// the emulator's JSON API endpoint without credentials, as the storage
// library's users point it at an emulator.

func init() {
	bucketMakers[serverGCS] = func(ctx context.Context, t target) error {
		c, err := newGCSClient(ctx, t)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Bucket(t.Bucket).Create(ctx, "objstore-bench", nil)
	}
	allStores = append(allStores,
		contestant{nameObjGCS, serverGCS, true, openObjstoreGCS},
		contestant{nameGcsblob, serverGCS, false, openGcsblob},
		contestant{nameGCSStorage, serverGCS, false, openGCSStorage})
}

// gcsEndpoint is the JSON API endpoint of the emulator at t.
func gcsEndpoint(t target) string { return t.URL() + "/storage/v1/" }

// openObjstoreGCS is the gcs driver (gs://BUCKET?endpoint=...&anonymous=true)
// with its defaults.
func openObjstoreGCS(ctx context.Context, t target) (store, error) {
	b, err := gcs.New(ctx, gcs.Config{Bucket: t.Bucket, Endpoint: gcsEndpoint(t), Anonymous: true})
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: nameObjGCS, c: objstore.New(b)}, nil
}

// gcsStore is the raw storage client, with its defaults: a Writer per
// put (16 MiB chunks), a Reader per get, the Objects iterator.
type gcsStore struct {
	c *storage.Client
	b *storage.BucketHandle
}

func newGCSClient(ctx context.Context, t target) (*storage.Client, error) {
	return storage.NewClient(ctx, option.WithEndpoint(gcsEndpoint(t)), option.WithoutAuthentication())
}

func openGCSStorage(ctx context.Context, t target) (store, error) {
	c, err := newGCSClient(ctx, t)
	if err != nil {
		return nil, err
	}
	return &gcsStore{c: c, b: c.Bucket(t.Bucket)}, nil
}

func (s *gcsStore) Name() string { return nameGCSStorage }

func (s *gcsStore) Put(ctx context.Context, key string, data []byte) error {
	return s.PutUnknown(ctx, key, bytes.NewReader(data))
}

func (s *gcsStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	w := s.b.Object(key).NewWriter(ctx)
	if _, err := io.Copy(w, r); err != nil {
		w.CloseWithError(err)
		return err
	}
	return w.Close()
}

func (s *gcsStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	r, err := s.b.Object(key).NewReader(ctx)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return drain(w, r, make([]byte, copyBufSize))
}

func (s *gcsStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	it := s.b.Objects(ctx, &storage.Query{Prefix: prefix})
	for {
		_, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func (s *gcsStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	it := s.b.Objects(ctx, &storage.Query{Prefix: prefix, Delimiter: "/"})
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return objects, prefixes, nil
		}
		if err != nil {
			return objects, prefixes, err
		}
		if o.Prefix != "" {
			prefixes++
		} else {
			objects++
		}
	}
}

func (s *gcsStore) Close() error { return s.c.Close() }

// openGcsblob is gocloud's gcsblob pointed at the emulator's endpoint,
// anonymous, with its defaults.
func openGcsblob(ctx context.Context, t target) (store, error) {
	b, err := gcsblob.OpenBucket(ctx, gcp.NewAnonymousHTTPClient(gcp.DefaultTransport()), t.Bucket,
		&gcsblob.Options{ClientOptions: []option.ClientOption{option.WithEndpoint(gcsEndpoint(t))}})
	if err != nil {
		return nil, err
	}
	return &blobStore{name: nameGcsblob, b: b}, nil
}

// blobStore is a gocloud.dev/blob bucket with its defaults (gcsblob,
// azureblob): WriteAll, Upload, NewReader, List.
type blobStore struct {
	name string
	b    *blob.Bucket
}

func (s *blobStore) Name() string { return s.name }

func (s *blobStore) Put(ctx context.Context, key string, data []byte) error {
	return s.b.WriteAll(ctx, key, data, nil)
}

func (s *blobStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	return s.b.Upload(ctx, key, r, &blob.WriterOptions{ContentType: "application/octet-stream"})
}

func (s *blobStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	r, err := s.b.NewReader(ctx, key, nil)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return drain(w, r, make([]byte, copyBufSize))
}

func (s *blobStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	it := s.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		_, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func (s *blobStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	return listBlobDir(ctx, s.b, prefix)
}

func (s *blobStore) Close() error { return s.b.Close() }
