package s3core

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// fakeBucket answers ListObjectsV2 over sorted keys as S3 does, or as
// MinIO does (minio): IsTruncated whenever the answer is full, also when
// nothing follows, and continuation tokens in MinIO's form.
type fakeBucket struct {
	keys  []string
	minio bool
	reqs  []ListRequest
}

func (b *fakeBucket) KnownMinIO() bool { return b.minio }

func (b *fakeBucket) ListObjectsV2(_ context.Context, req ListRequest) (ListAnswer, error) {
	b.reqs = append(b.reqs, req)
	after := req.StartAfter
	if req.ContinuationToken != "" {
		if !b.minio {
			return ListAnswer{}, backend.NewError("list", req.Prefix, backend.ErrInvalidArgument, fmt.Errorf("foreign token"))
		}
		raw, err := base64.StdEncoding.DecodeString(req.ContinuationToken)
		if err != nil {
			return ListAnswer{}, err
		}
		after = string(raw[:strings.LastIndex(string(raw), minioMarkerTags)])
	}
	ans := ListAnswer{ServerIsMinIO: b.minio, URLEncoded: true}
	n, last := 0, ""
	for _, k := range b.keys {
		if !strings.HasPrefix(k, req.Prefix) || k <= after {
			continue
		}
		if n == req.MaxKeys {
			ans.IsTruncated = true
			break
		}
		if i := strings.Index(k[len(req.Prefix):], req.Delimiter); req.Delimiter != "" && i >= 0 {
			p := k[:len(req.Prefix)+i+1]
			if p == last || p <= after && b.minio {
				continue
			}
			ans.Prefixes, last = append(ans.Prefixes, url.QueryEscape(p)), p
		} else {
			ans.Objects, last = append(ans.Objects, backend.ObjectInfo{Key: url.QueryEscape(k), Size: 1, ETag: `"e"`}), k
		}
		n++
	}
	if b.minio && n == req.MaxKeys {
		ans.IsTruncated = true // MinIO's lie on a last page
	}
	if ans.IsTruncated && b.minio {
		ans.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(last + "[minio_cache:v2,id:42]"))
	}
	return ans, nil
}

// ListObjectsV2 and KnownMinIO make fakeStore a Prober (upload_test.go).
func (f *fakeStore) ListObjectsV2(ctx context.Context, req ListRequest) (ListAnswer, error) {
	f.mu.Lock()
	keys := make([]string, 0, len(f.objects))
	for k := range f.objects {
		keys = append(keys, k)
	}
	f.mu.Unlock()
	slices.Sort(keys)
	return (&fakeBucket{keys: keys}).ListObjectsV2(ctx, req)
}

func (f *fakeStore) KnownMinIO() bool { return false }

// listAll lists every page of opts and returns each page's entries.
func listAll(t *testing.T, a Lister, opts backend.ListOptions) (pages [][]string) {
	t.Helper()
	for range 100 {
		p, err := List(context.Background(), a, opts)
		require.NoError(t, err)
		var names []string
		for _, o := range p.Objects {
			names = append(names, o.Key)
		}
		names = append(names, p.Prefixes...)
		slices.Sort(names)
		pages = append(pages, names)
		if opts.Token = p.NextToken; opts.Token == "" {
			return pages
		}
	}
	t.Fatal("more than 100 pages")
	return nil
}

// TestListPages: both ways of paging give full pages, then the rest, every
// entry once, in order, and no empty last page (MinIO's IsTruncated says
// more follow on it).
func TestListPages(t *testing.T) {
	keys := []string{"a", "a b", "a-b", "a/b", "a/c/d", "a/c/e", "a0", "b/", "b/x", "c", "d/e/f", "d/g"}
	flat := map[string][]string{"": keys, "a/": {"a/b", "a/c/d", "a/c/e"}}
	dir := map[string][]string{"": {"a", "a b", "a-b", "a/", "a0", "b/", "c", "d/"}, "a/": {"a/b", "a/c/"}}
	for _, minio := range []bool{false, true} {
		for _, delim := range []string{"", "/"} {
			for prefix, want := range map[bool]map[string][]string{false: flat, true: dir}[delim != ""] {
				for size := 1; size <= len(want)+1; size++ {
					b := &fakeBucket{keys: keys, minio: minio}
					pages := listAll(t, b, backend.ListOptions{Prefix: prefix, Delimiter: delim, PageSize: size})
					var all []string
					for i, p := range pages {
						all = append(all, p...)
						if i < len(pages)-1 {
							assert.Len(t, p, size, "minio %v, delimiter %q, prefix %q, size %d: page %d is full", minio, delim, prefix, size, i)
						}
					}
					assert.Equal(t, want, all, "minio %v, delimiter %q, prefix %q, size %d", minio, delim, prefix, size)
					assert.LessOrEqual(t, len(b.reqs), len(pages)+1, "one request a page (and one for MinIO's empty last answer)")
					for _, r := range b.reqs {
						if minio {
							assert.Empty(t, r.StartAfter, "MinIO is paged with its tokens")
						} else {
							assert.Empty(t, r.ContinuationToken, "other servers with StartAfter")
						}
					}
				}
			}
		}
	}
}

// scripted answers requests with its answers in order.
type scripted struct {
	minio   bool
	answers []ListAnswer
	reqs    []ListRequest
}

func (s *scripted) KnownMinIO() bool { return s.minio }

func (s *scripted) ListObjectsV2(_ context.Context, req ListRequest) (ListAnswer, error) {
	s.reqs = append(s.reqs, req)
	if len(s.answers) == 0 {
		return ListAnswer{}, fmt.Errorf("unexpected request %+v", req)
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func objs(keys ...string) []backend.ObjectInfo {
	var o []backend.ObjectInfo
	for _, k := range keys {
		o = append(o, backend.ObjectInfo{Key: k})
	}
	return o
}

func TestListTruncatedWithoutProgress(t *testing.T) {
	// MinIO's way: truncated, with no token or the same one again.
	for _, next := range []string{"", minioToken("x/", "")} {
		s := &scripted{minio: true, answers: []ListAnswer{{Objects: objs("x/a"), IsTruncated: true, NextContinuationToken: next}}}
		_, err := List(t.Context(), s, backend.ListOptions{Prefix: "x/", PageSize: 5, Token: formatToken("x/", "")})
		assert.ErrorIs(t, err, backend.ErrServerBusy, "next token %q", next)
	}
	// StartAfter: truncated with no key past the start.
	s := &scripted{answers: []ListAnswer{{Objects: objs("x/a"), IsTruncated: true}}}
	_, err := List(t.Context(), s, backend.ListOptions{Prefix: "x/", PageSize: 5, StartAfter: "x/a"})
	assert.ErrorIs(t, err, backend.ErrServerBusy)
}

// TestListMinIOEmptyLastAnswer: MinIO says a full last answer is
// truncated; the empty answer after it ends the page, with no token.
func TestListMinIOEmptyLastAnswer(t *testing.T) {
	s := &scripted{minio: true, answers: []ListAnswer{
		{Objects: objs("a", "b"), IsTruncated: true, NextContinuationToken: minioToken("b", "[minio_cache:v2,id:7]")},
		{},
	}}
	p, err := List(t.Context(), s, backend.ListOptions{PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, objs("a", "b"), p.Objects)
	assert.Empty(t, p.NextToken)
	assert.Equal(t, []ListRequest{{MaxKeys: 3}, {MaxKeys: 1, ContinuationToken: minioToken("b", "[minio_cache:v2,id:7]")}}, s.reqs)
}

// TestListCutShort: a short final answer from MinIO to a StartAfter inside
// a "directory" is asked again in MinIO's token form, and its entries
// replaced; on another server it is the end.
func TestListCutShort(t *testing.T) {
	s := &scripted{answers: []ListAnswer{
		{Objects: objs("a0"), ServerIsMinIO: true},
		{Objects: objs("a/c/d", "a0", "b"), IsTruncated: true, NextContinuationToken: minioToken("b", "[minio_cache:v2,id:9]"), ServerIsMinIO: true},
	}}
	p, err := List(t.Context(), s, backend.ListOptions{PageSize: 2, Token: formatToken("a/b", "")})
	require.NoError(t, err)
	assert.Equal(t, objs("a/c/d", "a0"), p.Objects)
	assert.Equal(t, []ListRequest{{MaxKeys: 3, StartAfter: "a/b"}, {MaxKeys: 3, ContinuationToken: minioToken("a/b", "")}}, s.reqs)
	entry, tags, err := parseToken(p.NextToken)
	require.NoError(t, err)
	assert.Equal(t, "a0", entry)
	assert.Equal(t, "[minio_cache:v2,id:9]", tags, "the next page reads on from MinIO's cache")

	s = &scripted{answers: []ListAnswer{{Objects: objs("a0")}}}
	p, err = List(t.Context(), s, backend.ListOptions{PageSize: 2, Token: formatToken("a/b", "")})
	require.NoError(t, err)
	assert.Equal(t, objs("a0"), p.Objects)
	assert.Len(t, s.reqs, 1)
}

// TestListTokens: each way of paging reads the other's tokens as "after
// this entry"; malformed tokens and tokens of another prefix are refused.
func TestListTokens(t *testing.T) {
	tagged := formatToken("p/a", "[minio_cache:v2,id:1]")
	s := &scripted{answers: []ListAnswer{{}}}
	_, err := List(t.Context(), s, backend.ListOptions{Prefix: "p/", Delimiter: "/", PageSize: 1, Token: tagged})
	require.NoError(t, err)
	assert.Equal(t, []ListRequest{{Prefix: "p/", Delimiter: "/", MaxKeys: 2, StartAfter: "p/a"}}, s.reqs)

	s = &scripted{answers: []ListAnswer{{}}}
	_, err = List(t.Context(), s, backend.ListOptions{Prefix: "p/", Delimiter: "/", PageSize: 1, Token: formatToken("p/d/", "")})
	require.NoError(t, err)
	assert.Equal(t, "p/d/\U0010FFFF", s.reqs[0].StartAfter, "past the keys below a prefix")

	s = &scripted{minio: true, answers: []ListAnswer{{}, {}}}
	_, err = List(t.Context(), s, backend.ListOptions{Prefix: "p/", PageSize: 1, Token: tagged})
	require.NoError(t, err)
	_, err = List(t.Context(), s, backend.ListOptions{Prefix: "p/", PageSize: 1, Token: formatToken("p/a", "")})
	require.NoError(t, err)
	assert.Equal(t, minioToken("p/a", "[minio_cache:v2,id:1]"), s.reqs[0].ContinuationToken)
	assert.Equal(t, minioToken("p/a", "[minio_cache:v2,return:]"), s.reqs[1].ContinuationToken)

	for _, tok := range []string{"p/a", base64.StdEncoding.EncodeToString([]byte("p/a[minio_cache:v2,return:]")),
		"a", "a!!", "x" + formatToken("p/a", "")[1:], "m" + formatToken("p/a", "")[1:],
		"m" + base64.RawURLEncoding.EncodeToString([]byte("p/a[minio_cache:v2")), formatToken("q/a", "")} {
		_, err := List(t.Context(), &scripted{}, backend.ListOptions{Prefix: "p/", Token: tok})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "token %q", tok)
	}
}

// TestListAnswerCleaned: keys decoded, times to the second, ETags
// unquoted, objects and prefixes merged in byte order, entries not after
// the start dropped.
func TestListAnswerCleaned(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.FixedZone("x", 3600))
	s := &scripted{answers: []ListAnswer{{
		URLEncoded: true,
		Objects:    []backend.ObjectInfo{{Key: "a", ETag: `"e1"`}, {Key: "b%2Bc+d", Size: 3, LastModified: at, ETag: `"e2"`}},
		Prefixes:   []string{"a%2F", "b%2F"},
	}}}
	p, err := List(t.Context(), s, backend.ListOptions{Delimiter: "/", StartAfter: "a", PageSize: 1})
	require.NoError(t, err)
	assert.Equal(t, []backend.ObjectInfo(nil), p.Objects)
	assert.Equal(t, []string{"a/"}, p.Prefixes)
	entry, _, err := parseToken(p.NextToken)
	require.NoError(t, err)
	assert.Equal(t, "a/", entry)

	s.answers = []ListAnswer{{URLEncoded: true, Objects: []backend.ObjectInfo{{Key: "b%2Bc+d", Size: 3, LastModified: at, ETag: `"e2"`}}}}
	p, err = List(t.Context(), s, backend.ListOptions{PageSize: 5})
	require.NoError(t, err)
	assert.Equal(t, []backend.ObjectInfo{{Key: "b+c d", Size: 3, LastModified: at.UTC().Truncate(time.Second), ETag: "e2"}}, p.Objects)
}
