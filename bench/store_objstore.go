package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/credentials"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/s3"
)

// objstoreStore is the objstore client on one of its drivers, with the
// driver's defaults (retries and failover included).
type objstoreStore struct {
	name string
	c    *objstore.Client
	// plain makes ListDir skip the stream check
	// (objstore.ListOptions.PlainPrefixes).
	plain bool
}

// minioConfig is the configuration of the MinIO driver in every
// objstore contestant: the defaults, plus what names the server.
func minioConfig(t target) minio.Config {
	return minio.Config{
		Endpoints: []string{t.Endpoint},
		AccessKey: t.AccessKey,
		SecretKey: t.SecretKey,
		Region:    t.Region,
		Bucket:    t.Bucket,
		Transport: t.Transport,
	}
}

func openObjstoreMinIO(ctx context.Context, t target) (store, error) {
	return openObjstoreMinIOWith(ctx, t)
}

// openObjstoreMinIOWith is openObjstoreMinIO with client options.
func openObjstoreMinIOWith(ctx context.Context, t target, opts ...objstore.Option) (*objstoreStore, error) {
	b, err := minio.New(ctx, minioConfig(t))
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: nameObjMinIO, c: objstore.New(b, opts...)}, nil
}

func openObjstoreS3(ctx context.Context, t target) (store, error) {
	return openObjstoreS3With(ctx, t)
}

// openObjstoreS3With is openObjstoreS3 with client options.
func openObjstoreS3With(ctx context.Context, t target, opts ...objstore.Option) (*objstoreStore, error) {
	cfg := s3.Config{
		Bucket:      t.Bucket,
		Region:      t.Region,
		Endpoint:    t.URL(),
		PathStyle:   true,
		Credentials: credentials.NewStaticCredentialsProvider(t.AccessKey, t.SecretKey, ""),
	}
	if t.Transport != nil {
		cfg.HTTPClient = &http.Client{Transport: t.Transport}
	}
	b, err := s3.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: nameObjS3, c: objstore.New(b, opts...)}, nil
}

// openObjstoreMinIONoCheck is the MinIO driver with
// Config.SkipConflictCheck: the put rows show what the driver's check
// for nested keys ("a" and "a/b", see backend/minio/conflicts.go) costs.
func openObjstoreMinIONoCheck(ctx context.Context, t target) (store, error) {
	cfg := minioConfig(t)
	cfg.SkipConflictCheck = true
	b, err := minio.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: nameObjMinIONoCheck, c: objstore.New(b)}, nil
}

// openObjstoreMinIOVariant is the MinIO driver with another
// concurrency and part size ("CONCURRENCY:PARTSIZE"), for tuning.
func openObjstoreMinIOVariant(ctx context.Context, t target, v string) (store, error) {
	var conc int
	var part int64
	if _, err := fmt.Sscanf(v, "%d:%d", &conc, &part); err != nil {
		return nil, fmt.Errorf("-minio-variants: %q is not CONCURRENCY:PARTSIZE", v)
	}
	cfg := minioConfig(t)
	cfg.Concurrency, cfg.PartSize = conc, part
	b, err := minio.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: fmt.Sprintf("objstore (minio %dx%s)", conc, sizeLabel(part)), c: objstore.New(b)}, nil
}

func (s *objstoreStore) Name() string { return s.name }

func (s *objstoreStore) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.c.PutObject(ctx, key, bytes.NewReader(data), nil)
	return err
}

func (s *objstoreStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	_, err := s.c.PutObject(ctx, key, r, nil)
	return err
}

func (s *objstoreStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	rc, err := s.c.GetObject(ctx, key)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return drain(w, rc, make([]byte, copyBufSize))
}

func (s *objstoreStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	for _, err := range s.c.Objects(ctx, prefix) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ListDir is Client.List, one level: by default with its stream check
// (each prefix is a stream object or a folder: a HEAD of its marker and a
// one-key listing of its chunks), with plain only the listing.
func (s *objstoreStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	for e, err := range s.c.List(ctx, prefix, objstore.ListOptions{PlainPrefixes: s.plain}) {
		if err != nil {
			return objects, prefixes, err
		}
		if e.IsPrefix || e.IsStream {
			prefixes++
		} else {
			objects++
		}
	}
	return objects, prefixes, nil
}

func (s *objstoreStore) Close() error { return s.c.Close() }
