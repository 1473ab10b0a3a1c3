package main

import (
	"bytes"
	"context"
	"io"
	"strings"

	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// minioGoStore is raw minio-go, with its defaults.
type minioGoStore struct {
	c      *minio.Client
	bucket string
}

func newMinioGoClient(t target) (*minio.Client, error) {
	return minio.New(t.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(t.AccessKey, t.SecretKey, ""),
		Region:    t.Region,
		Transport: t.Transport,
	})
}

func openMinioGo(_ context.Context, t target) (store, error) {
	c, err := newMinioGoClient(t)
	if err != nil {
		return nil, err
	}
	return &minioGoStore{c: c, bucket: t.Bucket}, nil
}

func (s *minioGoStore) Name() string { return nameMinioGo }

func (s *minioGoStore) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.c.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
	return err
}

func (s *minioGoStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	_, err := s.c.PutObject(ctx, s.bucket, key, r, -1, minio.PutObjectOptions{})
	return err
}

func (s *minioGoStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer obj.Close()
	return drain(w, obj, make([]byte, copyBufSize))
}

func (s *minioGoStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return n, o.Err
		}
		n++
	}
	return n, nil
}

// ListDir is ListObjects without Recursive: minio-go sends the delimiter
// "/" and gives each common prefix as an object whose key ends in "/".
func (s *minioGoStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if o.Err != nil {
			return objects, prefixes, o.Err
		}
		if strings.HasSuffix(o.Key, "/") {
			prefixes++
		} else {
			objects++
		}
	}
	return objects, prefixes, nil
}

func (s *minioGoStore) Close() error { return nil }
