package main

import (
	"context"
	"errors"
	"io"

	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
)

// gocloudStore is gocloud.dev/blob on s3blob (aws-sdk-go-v2 underneath),
// with its defaults.
type gocloudStore struct {
	b *blob.Bucket
}

func openGocloud(ctx context.Context, t target) (store, error) {
	c, err := newAWSClient(ctx, t)
	if err != nil {
		return nil, err
	}
	b, err := s3blob.OpenBucket(ctx, c, t.Bucket, nil)
	if err != nil {
		return nil, err
	}
	return &gocloudStore{b: b}, nil
}

func (s *gocloudStore) Name() string { return nameGocloud }

func (s *gocloudStore) Put(ctx context.Context, key string, data []byte) error {
	return s.b.WriteAll(ctx, key, data, nil)
}

func (s *gocloudStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	// Upload needs a content type: it cannot sniff a stream.
	return s.b.Upload(ctx, key, r, &blob.WriterOptions{ContentType: "application/octet-stream"})
}

func (s *gocloudStore) Get(ctx context.Context, key string, _ int64, w io.Writer) (int64, error) {
	r, err := s.b.NewReader(ctx, key, nil)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return drain(w, r, make([]byte, copyBufSize))
}

func (s *gocloudStore) List(ctx context.Context, prefix string) (int, error) {
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

// ListDir is List with Delimiter "/": common prefixes come as IsDir.
func (s *gocloudStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	return listBlobDir(ctx, s.b, prefix)
}

// listBlobDir lists one level of a gocloud bucket.
func listBlobDir(ctx context.Context, b *blob.Bucket, prefix string) (objects, prefixes int, err error) {
	it := b.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return objects, prefixes, nil
		}
		if err != nil {
			return objects, prefixes, err
		}
		if o.IsDir {
			prefixes++
		} else {
			objects++
		}
	}
}

func (s *gocloudStore) Close() error { return s.b.Close() }
