package s3_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// TestMetadata checks that user metadata and the content type round-trip
// exactly, for single-part and multipart objects, and that what travels
// in the headers is printable ASCII.
func TestMetadata(t *testing.T) {
	md := map[string]string{
		"Owner":      "Alice",
		"X-Trace_ID": "abc-123",
		"note":       "héllo wörld ✓ 日本語 😀",
		"path":       "a/b c?d=e&f#g",
		"quote":      `he said "hi", then 'bye'`,
		"pct":        "100%20sure %zz",
		"encoded":    "=?UTF-8?B?aGk=?=",
		"inner":      "x =?utf-8?q?y?= z",
		"spaces":     "inner  double  spaces",
		"colon":      "a:b; c=d",
	}
	want, err := backend.NormalizeMetadata("put", "k", md)
	require.NoError(t, err)
	const ct = "text/plain; charset=utf-8"
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t, smallParts)
		for _, size := range []int{0, 100, part + 1} {
			key := "meta/" + strings.Repeat("m", 1+size%5)
			_, err := b.Put(t.Context(), key, bytes.NewReader(payload(1, size)), backend.PutOptions{Size: -1, Metadata: md, ContentType: ct})
			require.NoError(t, err, "size %d", size)
			st, err := b.Stat(t.Context(), key)
			require.NoError(t, err)
			assert.Equal(t, want, st.Metadata, "size %d: Stat", size)
			assert.Equal(t, ct, st.ContentType, "size %d: Stat", size)
			rc, gi, err := b.Get(t.Context(), key, backend.GetOptions{Offset: 0, Length: 1})
			require.NoError(t, err)
			rc.Close()
			assert.Equal(t, want, gi.Metadata, "size %d: Get", size)
			assert.Equal(t, ct, gi.ContentType, "size %d: Get", size)

			// Behind the driver's back: the stored header values are
			// ASCII, the non-ASCII ones as RFC 2047 words.
			head, err := srv.admin.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			require.NoError(t, err)
			for k, v := range head.Metadata {
				for i := 0; i < len(v); i++ {
					require.True(t, v[i] >= 0x20 && v[i] <= 0x7e, "stored value of %q is not printable ASCII: %q", k, v)
				}
			}
			assert.Equal(t, "=?UTF-8?B?", head.Metadata["note"][:10])
			assert.Equal(t, "Alice", head.Metadata["owner"])
		}
		// No metadata, default content type.
		_, err := b.Put(t.Context(), "plain", strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		st, err := b.Stat(t.Context(), "plain")
		require.NoError(t, err)
		assert.Empty(t, st.Metadata)
		assert.Equal(t, backend.DefaultContentType, st.ContentType)
	})
}
