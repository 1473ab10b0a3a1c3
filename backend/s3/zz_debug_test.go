package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestZZDebugList(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		if srv.name != "minio" {
			return
		}
		bucket := srv.newBucket(t)
		for _, k := range []string{
			"a/b", "a-b", "a.b", "a0", "A", "é", "a/c/d", "Z", "aa", "a b", "a+b", "a%20b",
			"b", "e", "ü", "\u20ac", "\uff5e", "😀", "~x", "0", "_u", "a-b-c", "a/b-c"} {
			_, err := srv.admin.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k), Body: strings.NewReader("x")})
			if err != nil {
				t.Log("put", k, err)
			}
		}
		for _, mk := range []int32{2, 1000} {
			for _, sa := range []string{"a/b", "a/b-c", "a/c", "a/c/d", "a.b"} {
				out, err := srv.admin.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(mk), StartAfter: aws.String(sa)})
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, o := range out.Contents {
					keys = append(keys, *o.Key)
				}
				t.Logf("v2 maxkeys=%d startafter=%q keys=%q truncated=%v", mk, sa, keys, aws.ToBool(out.IsTruncated))
				out1, err := srv.admin.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: &bucket, MaxKeys: aws.Int32(mk), Marker: aws.String(sa)})
				if err != nil {
					t.Fatal(err)
				}
				keys = nil
				for _, o := range out1.Contents {
					keys = append(keys, *o.Key)
				}
				t.Logf("v1 maxkeys=%d marker=%q keys=%q truncated=%v", mk, sa, keys, aws.ToBool(out1.IsTruncated))
			}
		}
		var tok *string
		for i := 0; i < 20; i++ {
			out, err := srv.admin.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(2), ContinuationToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range out.Contents {
				keys = append(keys, *o.Key)
			}
			t.Logf("token keys=%q truncated=%v", keys, aws.ToBool(out.IsTruncated))
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			tok = out.NextContinuationToken
		}
	})
}
