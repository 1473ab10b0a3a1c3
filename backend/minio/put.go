package minio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// uploader sends the requests of the upload engine with minio-go.
type uploader struct{ d *Driver }

// options returns the minio-go options of a put, with the x-amz-* headers
// of amz (checksums) sent as well: minio-go sends a UserMetadata name that
// starts with x-amz-checksum- as that header.
func options(p *s3core.Plan, amz map[string]string) minio.PutObjectOptions {
	um := encodeMetadata(p.Opts.Metadata)
	if len(amz) > 0 {
		m := make(map[string]string, len(um)+len(amz))
		maps.Copy(m, um)
		maps.Copy(m, amz)
		um = m
	}
	a := p.Opts.HTTPAttributes
	o := minio.PutObjectOptions{
		ContentType:        p.Opts.ContentType,
		CacheControl:       a.CacheControl,
		ContentDisposition: a.ContentDisposition,
		ContentEncoding:    a.ContentEncoding,
		ContentLanguage:    a.ContentLanguage,
		UserMetadata:       um,
	}
	conditions(p, &o)
	return o
}

// conditions adds the put's preconditions to o.
func conditions(p *s3core.Plan, o *minio.PutObjectOptions) {
	if p.Opts.IfNotExist {
		o.SetMatchETagExcept("*")
	}
	if p.Opts.IfMatch != "" {
		o.SetMatchETag(strings.Trim(p.Opts.IfMatch, `"`))
	}
}

// checksumHeader is the header that sends the checksum of a body.
func checksumHeader(c backend.Checksum) map[string]string {
	return map[string]string{s3core.HeaderCRC32C: s3core.EncodeChecksum(c)}
}

// PutStream sends an object of known size with one streaming PUT. Its
// CRC32C goes as a trailer of the streaming signature (minio-go computes
// it as the bytes pass, and signs it); an empty object's, which minio-go
// adds no trailer for, as a header.
func (u uploader) PutStream(ctx context.Context, p *s3core.Plan, r io.Reader, size int64) (backend.ObjectInfo, error) {
	var opts minio.PutObjectOptions
	if size == 0 {
		// No body is sent, so make the source prove it is empty.
		var one [1]byte
		if _, err := r.Read(one[:]); err != io.EOF {
			return backend.ObjectInfo{}, u.d.err("put", p.Key, err)
		}
		opts = options(p, checksumHeader(s3core.CRC32C(nil)))
	} else {
		opts = options(p, nil)
		opts.Checksum = minio.ChecksumCRC32C
	}
	ui, err := u.d.core.PutObject(ctx, u.d.bucket, p.Key, r, size, "", "", opts)
	if err != nil {
		return backend.ObjectInfo{}, u.d.err("put", p.Key, err)
	}
	return backend.ObjectInfo{Size: size, ETag: ui.ETag, Checksum: s3core.Checksum(ui.ChecksumCRC32C, ui.ChecksumMode)}, nil
}

// payloadHash: a buffered PUT and every part are sent with the SHA-256 of
// their bytes in X-Amz-Content-Sha256, which the SigV4 signature covers:
// the server rejects a body that does not match, so a corrupted or
// tampered body is never stored. The hash is computed once over the
// buffer; with SHA-NI it costs a fraction of an MD5 (Content-MD5, which
// the server would only compare with the MD5 it computes anyway for the
// ETag) and of minio-go's streaming signature over plain HTTP, which
// hashes every 64 KiB chunk and signs each one. On a small machine,
// where the client and the server share the cores, that is upload
// throughput: see docs/benchmarks.md. Streaming PUTs of a known size
// (PutStream) are not buffered and keep the streaming signature.

// PutObject sends a buffered object with one PUT (see payloadHash).
func (u uploader) PutObject(ctx context.Context, p *s3core.Plan, data []byte, sum backend.Checksum) (backend.ObjectInfo, error) {
	body := s3core.NewBody(data)
	defer body.Disable()
	return u.put(ctx, p, body, int64(len(data)), sha256Hex(data), sum)
}

// PutSection sends a section of the caller's reader with one PUT, its
// SHA-256 and CRC32C computed in one pass (see payloadHash).
func (u uploader) PutSection(ctx context.Context, p *s3core.Plan, r *io.SectionReader) (backend.ObjectInfo, error) {
	sha := sha256.New()
	crc, err := s3core.HashSection(r, sha)
	if err != nil {
		return backend.ObjectInfo{}, u.d.err("put", p.Key, err)
	}
	sum, err := backend.ParseChecksum(backend.CRC32C, crc)
	if err != nil {
		return backend.ObjectInfo{}, u.d.err("put", p.Key, err)
	}
	return u.put(ctx, p, r, r.Size(), hex.EncodeToString(sha.Sum(nil)), sum)
}

// put sends body, of size bytes whose SHA-256 is sha (hex) and CRC32C
// sum, with one PUT signed whole.
func (u uploader) put(ctx context.Context, p *s3core.Plan, body io.Reader, size int64, sha string, sum backend.Checksum) (backend.ObjectInfo, error) {
	opts := options(p, checksumHeader(sum))
	opts.DisableContentSha256 = true // no streaming signature: the hash is signed whole
	ui, err := u.d.core.PutObject(ctx, u.d.bucket, p.Key, body, size, "", sha, opts)
	if err != nil {
		return backend.ObjectInfo{}, u.d.err("put", p.Key, err)
	}
	return backend.ObjectInfo{Size: size, ETag: ui.ETag, Checksum: sum}, nil
}

// fullObjectCRC32C are the headers that make a multipart upload one whose
// object gets the CRC32C of its whole content (s3core, checksum.go).
var fullObjectCRC32C = map[string]string{s3core.HeaderAlgorithm: s3core.AlgorithmCRC32C, s3core.HeaderType: s3core.TypeFullObject}

func (u uploader) CreateUpload(ctx context.Context, p *s3core.Plan) (string, error) {
	var amz map[string]string
	if p.Checksummed() {
		amz = fullObjectCRC32C
	}
	id, err := u.d.core.NewMultipartUpload(ctx, u.d.bucket, p.Key, options(p, amz))
	if err != nil {
		return "", u.d.err(p.Op, p.Key, err) // 412: ErrExist
	}
	return id, nil
}

// UploadPart uploads one part (see payloadHash) with its CRC32C.
func (u uploader) UploadPart(ctx context.Context, p *s3core.Plan, id string, part s3core.Part, data []byte) (s3core.Part, error) {
	body := s3core.NewBody(data)
	defer body.Disable()
	op, err := u.d.core.PutObjectPart(ctx, u.d.bucket, p.Key, id, part.Num, body, int64(len(data)),
		minio.PutObjectPartOptions{
			Sha256Hex: sha256Hex(data), DisableContentSha256: true, // see payloadHash
			CustomHeader: http.Header{s3core.HeaderCRC32C: {part.CRC32C}},
		})
	if err != nil {
		return part, u.d.err("put", p.Key, fmt.Errorf("part %d: %w", part.Num, err))
	}
	part.ETag = op.ETag
	return part, nil
}

// UploadSection uploads one part straight from the caller's reader (see
// payloadHash): its SHA-256 and CRC32C in one pass, then the bytes.
func (u uploader) UploadSection(ctx context.Context, p *s3core.Plan, id string, num int, r *io.SectionReader) (s3core.Part, error) {
	part := s3core.Part{Num: num}
	sha := sha256.New()
	crc, err := s3core.HashSection(r, sha)
	if err != nil {
		return part, u.d.err("put", p.Key, fmt.Errorf("part %d: %w", num, err))
	}
	part.CRC32C = crc
	op, err := u.d.core.PutObjectPart(ctx, u.d.bucket, p.Key, id, num, r, r.Size(),
		minio.PutObjectPartOptions{
			Sha256Hex: hex.EncodeToString(sha.Sum(nil)), DisableContentSha256: true,
			CustomHeader: http.Header{s3core.HeaderCRC32C: {crc}},
		})
	if err != nil {
		return part, u.d.err("put", p.Key, fmt.Errorf("part %d: %w", num, err))
	}
	part.ETag = op.ETag
	return part, nil
}

// CompleteUpload publishes the object; the server checks the CRC32C of the
// whole object against the one it combines from the parts' first.
func (u uploader) CompleteUpload(ctx context.Context, p *s3core.Plan, id string, parts []s3core.Part, sum backend.Checksum) (backend.ObjectInfo, error) {
	cps := make([]minio.CompletePart, len(parts))
	for i, part := range parts {
		cps[i] = minio.CompletePart{PartNumber: part.Num, ETag: part.ETag, ChecksumCRC32C: part.CRC32C}
	}
	var copts minio.PutObjectOptions
	if sum.Algorithm != "" {
		copts.UserMetadata = map[string]string{
			s3core.HeaderCRC32C: s3core.EncodeChecksum(sum),
			s3core.HeaderType:   s3core.TypeFullObject,
		}
	}
	conditions(p, &copts)
	ui, err := u.d.core.CompleteMultipartUpload(ctx, u.d.bucket, p.Key, id, cps, copts)
	if err != nil {
		return backend.ObjectInfo{}, u.d.err(p.Op, p.Key, err) // 412: ErrExist
	}
	return backend.ObjectInfo{ETag: ui.ETag, LastModified: ui.LastModified}, nil
}

// AbortUpload sends one AbortMultipartUpload; an upload the server does
// not know (NoSuchUpload) is gone, which is success.
func (u uploader) AbortUpload(ctx context.Context, key, id string) error {
	err := u.d.core.AbortMultipartUpload(ctx, u.d.bucket, key, id)
	if err == nil || minio.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return u.d.err("abort", key, err)
}

func (u uploader) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	return u.d.Stat(ctx, key)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
