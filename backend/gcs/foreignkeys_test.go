package gcs_test

import (
	"errors"
	"io"
	"slices"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/iterator"

	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestForeignKeys runs drivertest.CheckForeignKeys, filling the bucket
// with the storage library, on the raw driver: fake-gcs-server, as GCS,
// stores and lists every name as it is.
func TestForeignKeys(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{})
	bucket := callerClient(t, srv).Bucket(b.Bucket())
	drivertest.CheckForeignKeys(t, drivertest.Foreign{
		Backend: b,
		Put: func(t *testing.T, key, data string) error {
			w := bucket.Object(key).NewWriter(t.Context())
			if _, err := io.WriteString(w, data); err != nil {
				w.Close()
				return err
			}
			return w.Close()
		},
		List:  func(t *testing.T, prefix string) []string { return rawNames(t, bucket, prefix) },
		Exact: true,
	})
}

// rawNames lists bucket with the storage library, sorted.
func rawNames(t *testing.T, bucket *storage.BucketHandle, prefix string) []string {
	t.Helper()
	var names []string
	it := bucket.Objects(t.Context(), &storage.Query{Prefix: prefix})
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		require.NoError(t, err)
		names = append(names, attrs.Name)
	}
	slices.Sort(names)
	return names
}
