package minio_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestZZExperiment(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	keys := []string{"a/b", "a-b", "a.b", "a0", "A", "é", "a/c/d", "Z", "aa", "a b", "a+b", "a%20b",
		"b", "e", "ü", "\u20ac", "\uff5e", "😀", "~x", "0", "_u", "a-b-c", "a/b-c"}
	ctx := context.Background()
	for _, k := range keys {
		_, err := d.Put(ctx, k, bytesReader(k), backend.PutOptions{Size: int64(len(k))})
		require.NoError(t, err)
	}
	core := miniogo.Core{Client: admin(t, srv)}
	for _, sa := range []string{"", "a/b", "a/b-c", "a0", "a-b-c", "a.b"} {
		res, err := core.ListObjectsV2(d.Bucket(), "", sa, "", "", 3)
		require.NoError(t, err)
		var ks []string
		for _, o := range res.Contents {
			ks = append(ks, o.Key)
		}
		fmt.Printf("start-after %q: %q truncated=%v next=%q\n", sa, ks, res.IsTruncated, res.NextContinuationToken)
	}
	tok := ""
	for i := 0; i < 15; i++ {
		res, err := core.ListObjectsV2(d.Bucket(), "", "", tok, "", 2)
		require.NoError(t, err)
		var ks []string
		for _, o := range res.Contents {
			ks = append(ks, o.Key)
		}
		fmt.Printf("token page: %q truncated=%v\n", ks, res.IsTruncated)
		if !res.IsTruncated {
			break
		}
		tok = res.NextContinuationToken
	}
	for _, sa := range []string{"a/b-c", "a0"} {
		res, err := core.ListObjects(d.Bucket(), "", sa, "", 3)
		require.NoError(t, err)
		var ks []string
		for _, o := range res.Contents {
			ks = append(ks, o.Key)
		}
		fmt.Printf("v1 marker %q: %q truncated=%v\n", sa, ks, res.IsTruncated)
	}
}

func bytesReader(s string) *stringsReader { return &stringsReader{s: s} }

type stringsReader struct{ s string; i int }

func (r *stringsReader) Read(p []byte) (int, error) {
	if r.i >= len(r.s) { return 0, io.EOF }
	n := copy(p, r.s[r.i:]); r.i += n; return n, nil
}
