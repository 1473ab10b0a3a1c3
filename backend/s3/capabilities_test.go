package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// TestPresign uploads and downloads through presigned URLs with a plain
// http.Client, which has no credentials.
func TestPresign(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		p, ok := backend.As[backend.Presigner](b)
		require.True(t, ok)
		client := &http.Client{Transport: &http.Transport{}}
		t.Cleanup(client.CloseIdleConnections)

		putURL, err := p.Presign(t.Context(), http.MethodPut, "pre/sent é", time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		assert.NotContains(t, putURL, srv.secretKey)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, putURL, strings.NewReader("presigned body"))
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", msg)
		assert.Equal(t, "presigned body", string(getAll(t, b, "pre/sent é")))

		getURL, err := p.Presign(t.Context(), http.MethodGet, "pre/sent é", time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		resp, err = client.Get(getURL)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "presigned body", string(body))

		// The URL is for that key only.
		resp, err = client.Get(strings.Replace(getURL, "pre/", "pro/", 1))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)

		_, err = p.Presign(t.Context(), http.MethodGet, "pre/x", 0, backend.PresignOptions{})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		_, err = p.Presign(t.Context(), http.MethodPut, "pre/x", 8*24*time.Hour, backend.PresignOptions{})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		_, err = p.Presign(t.Context(), http.MethodGet, "../x", time.Minute, backend.PresignOptions{})
		assert.ErrorIs(t, err, backend.ErrInvalidKey)
	})
}

// TestRemoveMany removes more keys than one DeleteObjects request takes,
// missing keys among them.
func TestRemoveMany(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		const n = 2345
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("many/%05d", i)
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for _, k := range keys[:n-100] { // the last 100 never exist
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				_, err := b.Put(t.Context(), k, strings.NewReader("x"), backend.PutOptions{Size: 1})
				assert.NoError(t, err)
			})
		}
		_, err := b.Put(t.Context(), "keep", strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		wg.Wait()

		r, ok := backend.As[backend.BatchRemover](b)
		require.True(t, ok)
		require.NoError(t, r.RemoveMany(t.Context(), keys))
		page, err := b.List(t.Context(), backend.ListOptions{})
		require.NoError(t, err)
		require.Len(t, page.Objects, 1)
		assert.Equal(t, "keep", page.Objects[0].Key)

		// An invalid key is refused on its own and does not stop the
		// others (foreignkeys_test.go has the keys of a listing).
		err = r.RemoveMany(t.Context(), []string{"keep", "bad//key"})
		assert.ErrorIs(t, err, backend.ErrInvalidKey)
		_, err = b.Stat(t.Context(), "keep")
		assert.ErrorIs(t, err, backend.ErrNotFound, "the valid key is removed")
		require.NoError(t, r.RemoveMany(t.Context(), nil))
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

// TestHealth checks the health report of a running and a killed server.
func TestHealth(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			srv := s.start(t)
			b, _ := srv.open(t)
			h, ok := backend.As[backend.HealthChecker](b)
			require.True(t, ok)
			hs, err := h.Health(t.Context())
			require.NoError(t, err)
			require.Len(t, hs, 1)
			assert.True(t, hs[0].Live)
			assert.True(t, hs[0].Ready)
			assert.Equal(t, srv.url, hs[0].Endpoint)
		})
	}
}

// TestLifecycle sets, replaces and removes expiry rules on MinIO, and
// checks that versitygw, which has no lifecycle API, gives ErrNotSupported.
func TestLifecycle(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, _ := srv.open(t)
		l, ok := backend.As[backend.Lifecycler](b)
		require.True(t, ok)
		ctx := t.Context()
		err := l.SetExpiry(ctx, "logs/", 7)
		if srv.name == "versitygw" {
			assert.ErrorIs(t, err, backend.ErrNotSupported)
			_, err = l.Expiry(ctx)
			assert.ErrorIs(t, err, backend.ErrNotSupported)
			return
		}
		require.NoError(t, err)
		require.NoError(t, l.SetExpiry(ctx, "tmp/", 1))
		require.NoError(t, l.SetExpiry(ctx, "logs/", 30))
		rules, err := l.Expiry(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"logs/": 30, "tmp/": 1}, rules)
		require.NoError(t, l.SetExpiry(ctx, "logs/", 0))
		require.NoError(t, l.SetExpiry(ctx, "tmp/", 0))
		rules, err = l.Expiry(ctx)
		require.NoError(t, err)
		assert.Empty(t, rules)
		assert.ErrorIs(t, l.SetExpiry(ctx, "x/", -1), backend.ErrInvalidArgument)
		assert.ErrorIs(t, l.SetExpiry(ctx, "../", 1), backend.ErrInvalidKey)
	})
}
