package backend

import (
	"context"
	"errors"
)

// Copier is implemented by drivers whose store can copy an object without
// its bytes passing through the client (S3 and MinIO CopyObject and
// UploadPartCopy, GCS rewrite, Azure copy from URL, mem sharing the
// immutable bytes). The client uses it for Client.CopyObject and falls
// back to streaming the bytes itself (a Get of src and a Put of dst of
// known size) when a backend has no Copier or its Copy returns
// ErrNotSupported.
//
// Copy stores under dst the bytes of the object src. Without
// opts.ReplaceMetadata dst gets src's content type and metadata; with it,
// opts.ContentType and opts.Metadata (normalised as CheckPut does: CheckCopy
// does it). It returns the info of dst: Key dst, Size, ETag, ContentType
// and Metadata filled; LastModified may be zero when the store's answer
// does not carry it (Stat has it).
//
// Copy is atomic at dst, as Put is: no reader sees a partial dst, and on
// any error (a cancelled ctx included) dst is left as it was. A source
// that does not exist is an error wrapping ErrNotFound whose *Error names
// src (not dst). With opts.IfNotExist the copy is create-only: when dst
// already holds an object, an error wrapping ErrExist naming dst, and dst
// unchanged. A source that changes while it is copied is copied whole as
// one of its versions, or the copy fails; never a mix.
//
// src == dst is allowed only with opts.ReplaceMetadata: it changes the
// object's content type and metadata and keeps its bytes (CheckCopy
// refuses a copy of an object onto itself that would change nothing, with
// ErrInvalidArgument).
//
// When the store cannot make this copy (metadata it cannot replace on a
// copy, a create-only copy it cannot make, an object too large for its
// copy request), Copy returns an error wrapping ErrNotSupported before it
// changes anything, so that the caller can fall back. Every driver calls
// CheckCopy first, before any I/O.
type Copier interface {
	Copy(ctx context.Context, dst, src string, opts CopyOptions) (ObjectInfo, error)
}

// CopyOptions tunes a Copy. The zero value copies the bytes, the content
// type and the metadata of the source and replaces whatever dst holds.
type CopyOptions struct {
	// ReplaceMetadata stores ContentType and Metadata on dst instead of
	// the source's content type and metadata.
	ReplaceMetadata bool
	// ContentType of dst with ReplaceMetadata; empty means
	// application/octet-stream. Ignored without ReplaceMetadata.
	ContentType string
	// Metadata of dst with ReplaceMetadata, normalised by
	// NormalizeMetadata; nil stores none. Ignored without ReplaceMetadata.
	Metadata map[string]string
	// HTTPAttributes of dst with ReplaceMetadata (as S3's REPLACE
	// directive, the zero value clears them). Ignored without
	// ReplaceMetadata: dst keeps src's.
	HTTPAttributes
	// IfNotExist makes the copy create-only: ErrExist if dst exists.
	IfNotExist bool
}

// CheckCopy validates the arguments of a Copy before any I/O and returns
// the options as they must be applied: with ReplaceMetadata, the metadata
// normalised (NormalizeMetadata) and the content type defaulted
// (NormalizeContentType); without it, ContentType and Metadata cleared.
// Invalid keys are ErrInvalidKey naming the key; a copy of src onto
// itself without ReplaceMetadata is ErrInvalidArgument.
func CheckCopy(dst, src string, opts CopyOptions) (CopyOptions, error) {
	const op = "copy"
	if err := ValidateKey(op, src); err != nil {
		return CopyOptions{}, err
	}
	if err := ValidateKey(op, dst); err != nil {
		return CopyOptions{}, err
	}
	if !opts.ReplaceMetadata {
		opts.ContentType, opts.Metadata, opts.HTTPAttributes = "", nil, HTTPAttributes{}
		if src == dst {
			return CopyOptions{}, NewError(op, dst, ErrInvalidArgument, errors.New(
				"a copy of an object onto itself changes nothing: give new metadata or a new content type (ReplaceMetadata), or another destination"))
		}
		return opts, nil
	}
	md, err := NormalizeMetadata(op, dst, opts.Metadata)
	if err != nil {
		return CopyOptions{}, err
	}
	ct, err := NormalizeContentType(op, dst, opts.ContentType)
	if err != nil {
		return CopyOptions{}, err
	}
	if err := CheckHTTPAttributes(op, dst, opts.HTTPAttributes); err != nil {
		return CopyOptions{}, err
	}
	opts.ContentType, opts.Metadata = ct, md
	return opts, nil
}
