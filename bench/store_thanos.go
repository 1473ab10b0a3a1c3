package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/go-kit/log"
	"github.com/thanos-io/objstore"
	"github.com/thanos-io/objstore/providers/s3"
)

// thanosStore is thanos-io/objstore's S3 provider (minio-go underneath),
// with its defaults (64 MiB parts, Content-MD5 on).
type thanosStore struct {
	b *s3.Bucket
}

func openThanos(_ context.Context, t target) (store, error) {
	cfg := s3.DefaultConfig
	cfg.Bucket = t.Bucket
	cfg.Endpoint = t.Endpoint
	cfg.Region = t.Region
	cfg.AccessKey = t.AccessKey
	cfg.SecretKey = t.SecretKey
	cfg.Insecure = true
	var wrap func(http.RoundTripper) http.RoundTripper
	if t.Transport != nil {
		wrap = func(http.RoundTripper) http.RoundTripper { return t.Transport }
	}
	b, err := s3.NewBucketWithConfig(log.NewNopLogger(), cfg, "bench", wrap)
	if err != nil {
		return nil, err
	}
	return &thanosStore{b: b}, nil
}

func (s *thanosStore) Name() string { return nameThanos }

func (s *thanosStore) Put(ctx context.Context, key string, data []byte) error {
	return s.b.Upload(ctx, key, bytes.NewReader(data))
}

func (s *thanosStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	return s.b.Upload(ctx, key, r)
}

func (s *thanosStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	rc, err := s.b.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return drain(w, rc, make([]byte, copyBufSize))
}

func (s *thanosStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	err := s.b.Iter(ctx, prefix, func(string) error { n++; return nil }, objstore.WithRecursiveIter())
	return n, err
}

// ListDir is Iter without WithRecursiveIter: one level, the delimiter
// "/" (minio-go's ListObjects underneath); directories end in "/".
func (s *thanosStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	err = s.b.Iter(ctx, prefix, func(name string) error {
		if strings.HasSuffix(name, "/") {
			prefixes++
		} else {
			objects++
		}
		return nil
	})
	return objects, prefixes, err
}

func (s *thanosStore) Close() error { return s.b.Close() }
