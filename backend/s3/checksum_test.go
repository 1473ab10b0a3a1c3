package s3_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// TestForeignChecksums: objects that another tool wrote without a CRC32C
// of their whole content (a PutObject without checksum, which a server
// may give one of another algorithm; a multipart upload with a COMPOSITE
// CRC32C, a checksum of the parts' checksums) have the zero Checksum in
// Stat and Get, and read through the client unverified, without an error.
func TestForeignChecksums(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		ctx := t.Context()
		d, bucket := srv.openRaw(t)
		c := objstore.New(d)
		data := map[string][]byte{"foreign/plain": payload(21, 1000), "foreign/composite": payload(22, s3drv.MinPartSize+10)}

		_, err := srv.admin.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("foreign/plain"), Body: bytes.NewReader(data["foreign/plain"]),
		})
		require.NoError(t, err)

		key, whole := "foreign/composite", data["foreign/composite"]
		created, err := srv.admin.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, ChecksumType: types.ChecksumTypeComposite,
		})
		require.NoError(t, err)
		var parts []types.CompletedPart
		for i, p := range [][]byte{whole[:s3drv.MinPartSize], whole[s3drv.MinPartSize:]} {
			crc := aws.String(s3core.EncodeChecksum(s3core.CRC32C(p)))
			out, err := srv.admin.UploadPart(ctx, &s3.UploadPartInput{
				Bucket: aws.String(bucket), Key: aws.String(key), UploadId: created.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumCRC32C: crc,
			})
			require.NoError(t, err)
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32C: crc})
		}
		_, err = srv.admin.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: created.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		require.NoError(t, err)
		head, err := srv.admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		require.NoError(t, err)
		t.Logf("%s: the server keeps %s %q", key, head.ChecksumType, aws.ToString(head.ChecksumCRC32C))

		for key, want := range data {
			st, err := d.Stat(ctx, key)
			require.NoError(t, err)
			switch {
			case key == "foreign/composite":
				assert.True(t, st.Checksum.IsZero(), "a composite checksum reported as the object's: %s", st.Checksum)
			case !st.Checksum.IsZero():
				// A server may give a plain object a CRC32C of its own:
				// then it must be right.
				assert.Equal(t, backend.ChecksumOf(backend.CRC32C, want), st.Checksum, "%s: Stat", key)
			}
			t.Logf("%s: Stat's checksum %q", key, st.Checksum)
			rc, info, err := d.Get(ctx, key, backend.WholeObject)
			require.NoError(t, err)
			rc.Close()
			assert.Equal(t, st.Checksum, info.Checksum, "%s: Get and Stat agree", key)
			rc, err = c.GetObject(ctx, key)
			require.NoError(t, err)
			got, err := io.ReadAll(rc)
			require.NoError(t, rc.Close())
			require.NoError(t, err, "%s: read through the client", key)
			assert.True(t, bytes.Equal(want, got), "%s: the bytes", key)
		}
	})
}
