package minio

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/minio/minio-go/v7/pkg/signer"

	"github.com/objstore-dev/objstore/backend"
)

// emptySHA256 is the SHA-256 of an empty payload, signed into bodiless
// requests.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// List returns one page with one ListObjectsV2 request.
//
// The request is made here, signed with minio-go's signer, rather than
// through minio-go: its Core.ListObjectsV2 takes no context (so neither a
// cancellation nor the failover wrapper's per-attempt timeout could stop
// it), and its ListObjects iterators hide whether a page was the last one.
//
// The token is the last key of the previous page, sent as start-after: it
// is stateless, and valid on every endpoint of a cluster (a server's
// continuation token need not be).
func (d *Driver) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := d.check(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	q := url.Values{}
	q.Set("list-type", "2")
	q.Set("encoding-type", "url")
	q.Set("prefix", opts.Prefix)
	q.Set("max-keys", strconv.Itoa(opts.PageSize))
	if opts.Token != "" {
		q.Set("start-after", opts.Token)
	}
	var res minio.ListBucketV2Result
	if err := d.do(ctx, http.MethodGet, "/"+d.bucket+"/", q, &res); err != nil {
		return backend.ListPage{}, d.err("list", opts.Prefix, err)
	}
	page := backend.ListPage{Objects: make([]backend.ObjectInfo, 0, len(res.Contents))}
	for _, o := range res.Contents {
		key := o.Key
		if res.EncodingType == "url" {
			if key, err = url.QueryUnescape(o.Key); err != nil {
				return backend.ListPage{}, d.err("list", opts.Prefix, fmt.Errorf("undecodable key %q in the listing: %w", o.Key, err))
			}
		}
		page.Objects = append(page.Objects, backend.ObjectInfo{
			Key:          key,
			Size:         o.Size,
			LastModified: o.LastModified.UTC(),
			ETag:         strings.Trim(o.ETag, `"`),
		})
	}
	if res.IsTruncated {
		if len(page.Objects) == 0 {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				fmt.Errorf("the server said the listing goes on but sent no key"))
		}
		page.NextToken = page.Objects[len(page.Objects)-1].Key
	}
	return page, nil
}

// do makes one signed bodiless S3 request to the endpoint and decodes its
// XML answer into out. An error answer is returned as a
// minio.ErrorResponse with its StatusCode, as minio-go returns it.
func (d *Driver) do(ctx context.Context, method, path string, q url.Values, out any) error {
	u := *d.base
	u.Path = path
	u.RawQuery = s3utils.QueryEncode(q)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	if d.creds.AccessKeyID != "" {
		req = signer.SignV4(*req, d.creds.AccessKeyID, d.creds.SecretAccessKey, d.creds.SessionToken, d.region)
	}
	resp, err := d.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Answers are small XML documents; a larger one is not a listing.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		er := minio.ErrorResponse{StatusCode: resp.StatusCode, Server: resp.Header.Get("Server")}
		if xerr := xml.Unmarshal(body, &er); xerr != nil || er.Code == "" {
			er.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
			er.Message = fmt.Sprintf("%s %s: %s", method, path, resp.Status)
		}
		return er
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return fmt.Errorf("undecodable answer to %s %s: %w", method, path, err)
	}
	return nil
}
