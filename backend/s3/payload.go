package s3

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// How an upload's bytes are protected on the way to the server.
//
// Over plain HTTP the SDK signs every PutObject and UploadPart with the
// SHA-256 of its body (X-Amz-Content-Sha256, covered by SigV4; the body is
// a bytes.Reader, so the SDK hashes it before sending), and the server
// refuses a body that does not match: a Content-MD5 on top would only add
// an MD5 of every byte, which on a small machine, where the client and
// the server share the cores, is upload throughput (docs/benchmarks.md).
// Over HTTPS the SDK sends UNSIGNED-PAYLOAD (TLS protects the transfer),
// and the driver adds a Content-MD5 so that the server still checks the
// bytes end to end, whatever sits between TLS and the disk.

// signsPayload reports whether the SDK signs the payload hash of this
// driver's uploads: its endpoint is plain http://.
func (d *Driver) signsPayload() bool {
	return strings.HasPrefix(strings.ToLower(d.endpoint), "http://")
}

// contentMD5 returns the Content-MD5 header of an upload of data, or nil
// when the signed payload hash already guards it (see signsPayload).
func (d *Driver) contentMD5(data []byte) *string {
	if d.signsPayload() {
		return nil
	}
	sum := md5.Sum(data)
	return aws.String(base64.StdEncoding.EncodeToString(sum[:]))
}

// withPayloadHash is a call option that signs a request with hash (hex),
// the SHA-256 of its body computed beforehand, so that the SDK does not
// read the body once more to hash it.
func withPayloadHash(hash string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("objstore.PayloadHash",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(v4.SetPayloadHash(ctx, hash), in)
				}), middleware.Before)
		})
	}
}

// sectionHashes are what an upload from a section of the caller's reader
// needs, from one pass over it: the CRC32C (header value), and either the
// call options that sign its SHA-256 or its Content-MD5 (see signsPayload).
type sectionHashes struct {
	crc  string
	md5  *string
	opts []func(*s3.Options)
}

// hashSection reads r once (s3core.HashSection) into its sectionHashes.
func (d *Driver) hashSection(r *io.SectionReader) (sectionHashes, error) {
	var h hash.Hash
	if d.signsPayload() {
		h = sha256.New()
	} else {
		h = md5.New()
	}
	crc, err := s3core.HashSection(r, h)
	if err != nil {
		return sectionHashes{}, err
	}
	out := sectionHashes{crc: crc, opts: d.callOpts}
	if d.signsPayload() {
		out.opts = append(slices.Clip(d.callOpts), withPayloadHash(hex.EncodeToString(h.Sum(nil))))
	} else {
		out.md5 = aws.String(base64.StdEncoding.EncodeToString(h.Sum(nil)))
	}
	return out, nil
}
