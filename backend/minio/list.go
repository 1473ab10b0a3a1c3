package minio

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page with one ListObjectsV2 request.
//
// The request is made here, signed with minio-go's signer, rather than
// through minio-go: its Core.ListObjectsV2 takes no context (so neither a
// cancellation nor the failover wrapper's per-attempt timeout could stop
// it), and its ListObjects iterators hide whether a page was the last one.
//
// The token is in the form of MinIO's continuation tokens (see list).
// MinIO makes them stateless (they encode the last key listed, and a
// listing cache they name that is gone is rebuilt from it), so a token can
// be reused and is valid on every node of a cluster. It is not replaced by
// a plain start-after with the last key: MinIO ends a listing early when
// the start-after key lies inside a "directory" (start-after "a/b" lists
// the rest of "a/" and reports the listing complete), while its
// continuation tokens do not have that defect. For the same reason a
// StartAfter is sent in that token form too.
//
// A directory listing (Delimiter "/") sends the delimiter: MinIO rolls
// the keys below each common prefix up itself, and counts a prefix as one
// entry of max-keys. Entries that do not sort after the listing's start
// (the token's entry or StartAfter) are dropped: a prefix that holds keys
// after the start but sorts before it, which S3 servers list, and the
// prefix a token ended on, which MinIO lists again.
func (d *Driver) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := d.check(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	page, err := d.listPage(ctx, opts)
	if err != nil {
		return backend.ListPage{}, d.err("list", opts.Prefix, err)
	}
	return page, nil
}

// maxListKeys is the most keys one ListObjectsV2 answer holds (S3's
// limit, and MinIO's).
const maxListKeys = 1000

// list returns one flat page of at most pageSize objects after token
// (also used to find a conflicting object in Put).
func (d *Driver) list(ctx context.Context, prefix string, pageSize int, token string) (backend.ListPage, error) {
	return d.listPage(ctx, backend.ListOptions{Prefix: prefix, PageSize: pageSize, Token: token})
}

// listPage returns one page of at most opts.PageSize entries after the
// token (or StartAfter).
//
// A page has a NextToken only when at least one more entry follows:
// MinIO says a listing is truncated whenever its walk stopped at the
// limit, also when nothing follows (page size 1 over 3 keys gave pages of
// 1, 1, 1 and 0 objects), so IsTruncated alone would hand out a token to
// an empty last page. The page is therefore filled to PageSize+1
// entries, with more requests while MinIO says more follow; the extra
// entry proves that the listing goes on and is left for the next page. A
// page holds at most maxListKeys-1 entries (999), so that a page of the
// default size costs one request, not two.
//
// The token is MinIO's own form of a continuation token (base64 of
// "KEY[minio_cache:v2,...]"), made for the last entry of the page (a key,
// or a prefix with its "/") with the tags of MinIO's last token (the id
// of its listing cache), or with "return:" (start a new cached listing)
// when it gave none; see nextToken.
func (d *Driver) listPage(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if backend.PastPrefix(opts) {
		return backend.ListPage{}, nil
	}
	token, after := opts.Token, opts.StartAfter
	switch {
	case token != "":
		after = tokenKey(token)
	case after != "":
		token = nextToken(after, "")
	}
	// At most 999 entries a page, so that the one extra entry comes in
	// the same request: one ListObjectsV2 per page, as the peers make.
	pageSize := min(opts.PageSize, maxListKeys-1)
	ents := make([]listEntry, 0, min(pageSize+1, maxListKeys))
	for {
		res, err := d.listOnce(ctx, opts.Prefix, opts.Delimiter, min(pageSize+1-len(ents), maxListKeys), token)
		if err != nil {
			return backend.ListPage{}, err
		}
		if ents, err = appendListed(ents, res, after); err != nil {
			return backend.ListPage{}, err
		}
		if len(ents) > pageSize {
			return pageOf(ents[:pageSize], nextToken(ents[pageSize-1].name, res.NextContinuationToken)), nil
		}
		if !res.IsTruncated {
			return pageOf(ents, ""), nil
		}
		if res.NextContinuationToken == "" || res.NextContinuationToken == token {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				fmt.Errorf("the server said the listing goes on but gave no new continuation token"))
		}
		token = res.NextContinuationToken
	}
}

// listEntry is an object or a common prefix of a listing.
type listEntry struct {
	name string // the key, or the prefix with its delimiter
	obj  *backend.ObjectInfo
}

// pageOf splits sorted entries into a page's objects and prefixes.
func pageOf(ents []listEntry, next string) backend.ListPage {
	page := backend.ListPage{NextToken: next}
	for _, e := range ents {
		if e.obj != nil {
			page.Objects = append(page.Objects, *e.obj)
		} else {
			page.Prefixes = append(page.Prefixes, e.name)
		}
	}
	return page
}

// listOnce makes one ListObjectsV2 request.
func (d *Driver) listOnce(ctx context.Context, prefix, delimiter string, maxKeys int, token string) (*minio.ListBucketV2Result, error) {
	q := url.Values{}
	q.Set("list-type", "2")
	q.Set("encoding-type", "url")
	q.Set("prefix", prefix)
	if delimiter != "" {
		q.Set("delimiter", delimiter)
	}
	q.Set("max-keys", strconv.Itoa(maxKeys))
	if token != "" {
		q.Set("continuation-token", token)
	}
	var res minio.ListBucketV2Result
	if err := d.getBucketXML(ctx, q, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// appendListed appends the objects and common prefixes of a
// ListObjectsV2 answer to ents, merged in byte order, leaving out those
// that do not sort after after.
func appendListed(ents []listEntry, res *minio.ListBucketV2Result, after string) ([]listEntry, error) {
	unescape := func(s string) (string, error) {
		if res.EncodingType != "url" {
			return s, nil
		}
		k, err := url.QueryUnescape(s)
		if err != nil {
			return "", fmt.Errorf("undecodable key %q in the listing: %w", s, err)
		}
		return k, nil
	}
	start := len(ents)
	for _, o := range res.Contents {
		key, err := unescape(o.Key)
		if err != nil {
			return nil, err
		}
		if after != "" && key <= after {
			continue
		}
		ents = append(ents, listEntry{name: key, obj: &backend.ObjectInfo{
			Key:  key,
			Size: o.Size,
			// HEAD and GET carry the time as an HTTP date, to the
			// second; listings have milliseconds. Cut them to the second
			// so that List, Stat and Get agree.
			LastModified: o.LastModified.UTC().Truncate(time.Second),
			ETag:         strings.Trim(o.ETag, `"`),
		}})
	}
	for _, p := range res.CommonPrefixes {
		name, err := unescape(p.Prefix)
		if err != nil {
			return nil, err
		}
		if after != "" && name <= after {
			continue
		}
		ents = append(ents, listEntry{name: name})
	}
	added := ents[start:]
	slices.SortStableFunc(added, func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	return ents, nil
}

// tokenKey returns the entry a token of nextToken lists after ("" for a
// token it cannot read: MinIO then judges it).
func tokenKey(token string) string {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return ""
	}
	if i := strings.LastIndex(string(raw), minioMarkerTags); i >= 0 {
		return string(raw[:i])
	}
	return string(raw)
}

// minioMarkerTags starts the tags MinIO appends to the key in its
// continuation tokens; "return:" asks it for a new cached listing.
const (
	minioMarkerTags = "[minio_cache:"
	minioNewListing = "[minio_cache:v2,return:]"
)

// nextToken returns the continuation token that lists the keys after key:
// MinIO's token form (cmd/metacache-marker.go: base64 of the key followed
// by its tags), with the tags of minioNext, MinIO's own next token (which
// points further, past the extra object), so that the next page reads on
// from the same listing cache; without them, a new cached listing. The
// tag form matters: a bare key is a start-after marker, which MinIO lists
// with a direct walk that can end early (see List).
func nextToken(key, minioNext string) string {
	tags := minioNewListing
	if raw, err := base64.StdEncoding.DecodeString(minioNext); err == nil {
		if i := strings.LastIndex(string(raw), minioMarkerTags); i >= 0 && strings.HasSuffix(string(raw), "]") {
			tags = string(raw[i:])
		}
	}
	return base64.StdEncoding.EncodeToString([]byte(key + tags))
}
