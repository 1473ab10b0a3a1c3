package s3_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestPresign runs s3test.CheckPresignRoundTrip on New, on MinIO and
// versitygw.
func TestPresign(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		s3test.CheckPresignRoundTrip(t, b, srv.secretKey)
	})
}

// TestRemoveMany runs s3test.CheckRemoveMany on New, on MinIO and
// versitygw.
func TestRemoveMany(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		dc := &s3test.DeleteCounter{Base: http.DefaultTransport.(*http.Transport).Clone()}
		t.Cleanup(dc.Base.(*http.Transport).CloseIdleConnections)
		b, _ := srv.open(t, func(c *s3drv.Config) { c.HTTPClient = &http.Client{Transport: dc} })
		s3test.CheckRemoveMany(t, b, dc)
	})
}

// TestKeyPrefixConflict checks that both servers refuse a key that is the
// "directory" of another (MinIO would store it and then hide it from
// listings; versitygw cannot store it).
func TestKeyPrefixConflict(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		put := func(k string) error {
			_, err := b.Put(t.Context(), k, bytes.NewReader([]byte(k)), backend.PutOptions{Size: int64(len(k))})
			return err
		}
		require.NoError(t, put("nest"))
		err := put("nest/child")
		assert.ErrorIs(t, err, backend.ErrExist)
		assert.Contains(t, err.Error(), "nest/child")
		require.NoError(t, put("deep/er/child"))
		assert.ErrorIs(t, put("deep"), backend.ErrExist)
		assert.ErrorIs(t, put("deep/er"), backend.ErrExist)
		require.NoError(t, put("deeper"), "a sibling whose name starts the same is no conflict")
		require.NoError(t, put("deep/er/child2"))
		var keys []string
		page, err := b.List(t.Context(), backend.ListOptions{})
		require.NoError(t, err)
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		assert.Equal(t, []string{"deep/er/child", "deep/er/child2", "deeper", "nest"}, keys)
	})
}

// TestListAcrossDirectories lists keys where a "directory" sits among
// names that sort between it and its contents ("d-1" < "d/x" < "d0"),
// in every page size: MinIO alone would end such listings early.
func TestListAcrossDirectories(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		var want []string
		add := func(k string) {
			_, err := b.Put(t.Context(), k, strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
			want = append(want, k)
		}
		for i := range 12 {
			add(fmt.Sprintf("d-%02d", i))
			add(fmt.Sprintf("d.%02d", i))
		}
		for i := range 6 {
			add(fmt.Sprintf("d/x%d", i))
			add(fmt.Sprintf("d/y/z%d", i))
		}
		add("d0")
		add("e")
		slicesSort(want)
		for _, size := range []int{1, 2, 3, 5, 7, 11, 1000} {
			for _, prefix := range []string{"", "d", "d/"} {
				var got []string
				token := ""
				for range 200 {
					page, err := b.List(t.Context(), backend.ListOptions{Prefix: prefix, PageSize: size, Token: token})
					require.NoError(t, err)
					require.LessOrEqual(t, len(page.Objects), size)
					for _, o := range page.Objects {
						got = append(got, o.Key)
					}
					if token = page.NextToken; token == "" {
						break
					}
				}
				var wantP []string
				for _, k := range want {
					if strings.HasPrefix(k, prefix) {
						wantP = append(wantP, k)
					}
				}
				assert.Equal(t, wantP, got, "prefix %q, page size %d", prefix, size)
			}
		}
	})
}

// TestHealth runs s3test.CheckHealthy on New and s3test.CheckHealth on
// the raw driver, on MinIO and versitygw.
func TestHealth(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		s3test.CheckHealthy(t, b, srv.url)
		d, _ := srv.openRaw(t)
		s3test.CheckHealth(t, d, srv.proc, srv.url)
	})
}

// TestLifecycle runs s3test.CheckLifecycle on New: on MinIO, reading the
// rules back with the plain SDK; versitygw has no lifecycle API.
func TestLifecycle(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t)
		if srv.name == "versitygw" {
			s3test.CheckLifecycle(t, b, nil)
			return
		}
		s3test.CheckLifecycle(t, b, func(t *testing.T) []string {
			out, err := srv.admin.GetBucketLifecycleConfiguration(t.Context(), &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
			require.NoError(t, err)
			var rules []string
			for _, r := range out.Rules {
				prefix := aws.ToString(r.Prefix) // or in Filter, below
				if r.Filter != nil && r.Filter.Prefix != nil {
					prefix = *r.Filter.Prefix
				}
				require.NotNil(t, r.Expiration)
				rules = append(rules, fmt.Sprintf("%s=%d", prefix, aws.ToInt32(r.Expiration.Days)))
			}
			slices.Sort(rules)
			return rules
		})
	})
}
