package minio

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/minio/minio-go/v7/pkg/signer"
)

// emptySHA256 is the SHA-256 of an empty payload, signed into bodiless
// requests.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// maxAnswer bounds the XML answers read into memory.
const maxAnswer = 16 << 20

// request is one S3 request that the driver signs and sends itself, with
// minio-go's SigV4 signer, for the few calls minio-go cannot make as the
// driver needs them (see List and the metadata of metadata.go).
type request struct {
	method  string
	key     string     // object key; "" for a bucket request
	query   url.Values // query parameters, signed
	header  http.Header
	body    io.Reader // nil for none
	size    int64     // length of body
	sha256  string    // hex SHA-256 of body; "" for no body
	succeed int       // expected status; 0 means 200
}

// send signs and sends r and returns the answer of the expected status,
// whose body the caller must close. Any other answer is returned as a
// minio.ErrorResponse with its StatusCode and S3 code, as minio-go
// returns it, so that mapErr treats both alike.
func (d *Driver) send(ctx context.Context, r request) (*http.Response, error) {
	raw := d.base.String() + "/" + d.bucket + "/"
	if r.key != "" {
		raw += s3utils.EncodePath(r.key)
	}
	if len(r.query) > 0 {
		raw += "?" + s3utils.QueryEncode(r.query)
	}
	var body io.Reader
	if r.body != nil && r.size > 0 {
		body = io.NopCloser(r.body) // the transport must not close the caller's reader
	}
	req, err := http.NewRequestWithContext(ctx, r.method, raw, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = r.size
	for k, vv := range r.header {
		req.Header[k] = vv
	}
	payload := r.sha256
	if payload == "" {
		payload = emptySHA256
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if d.creds.AccessKeyID != "" {
		req = signer.SignV4(*req, d.creds.AccessKeyID, d.creds.SecretAccessKey, d.creds.SessionToken, d.region)
	}
	resp, err := d.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	want := r.succeed
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode == want {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	er := minio.ErrorResponse{StatusCode: resp.StatusCode, Server: resp.Header.Get("Server"), BucketName: d.bucket, Key: r.key}
	if xerr := xml.Unmarshal(b, &er); xerr != nil || er.Code == "" {
		er.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
		er.Message = fmt.Sprintf("%s answered %s", r.method, resp.Status)
	}
	return nil, er
}

// sendXML sends r and decodes its XML answer into out.
func (d *Driver) sendXML(ctx context.Context, r request, out any) error {
	resp, err := d.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("undecodable answer to %s: %w", r.method, err)
	}
	return nil
}
