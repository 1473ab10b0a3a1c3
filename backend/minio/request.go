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

// getBucketXML makes a bodiless GET request on the bucket that the driver
// signs and sends itself, with minio-go's SigV4 signer (for the call
// minio-go cannot make as the driver needs it: see List), and decodes the
// XML answer into out. An error answer is returned as a
// minio.ErrorResponse with its StatusCode and S3 code, as minio-go returns
// it, so that mapErr treats both alike.
func (d *Driver) getBucketXML(ctx context.Context, query url.Values, out any) error {
	raw := d.base.String() + "/" + d.bucket + "/?" + s3utils.QueryEncode(query)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		er := minio.ErrorResponse{StatusCode: resp.StatusCode, Server: resp.Header.Get("Server"), BucketName: d.bucket}
		if xerr := xml.Unmarshal(body, &er); xerr != nil || er.Code == "" {
			er.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
			er.Message = "GET answered " + resp.Status
		}
		return er
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return fmt.Errorf("undecodable answer: %w", err)
	}
	return nil
}
