package backend

import "context"

// Composer is implemented by drivers whose store can concatenate existing
// objects into a new one without the bytes passing through the client
// (GCS compose, S3/MinIO multipart uploads of part copies). The client
// uses it to compact a stream object (Client.CompactStream) and falls
// back to streaming the bytes itself when a backend has no Composer or
// its Compose returns ErrNotSupported.
//
// Compose stores under dst the bytes of the objects srcs[0].Key,
// srcs[1].Key, ... in that order, with opts.ContentType and opts.Metadata
// (normalised as CheckPut does); opts.Size and opts.IfNotExist are
// ignored. srcs carries each source's Size as listed, which a driver may
// need to decide whether the store can compose them (S3 needs every part
// but the last to be at least 5 MiB).
//
// Compose is atomic at dst, as Put is: no reader sees a partial dst, and
// on any error dst is left as it was. A driver that needs intermediate
// objects (GCS composes at most 32 sources per request) removes them
// before it returns, also on error. A source that does not exist is
// ErrNotFound. When the store cannot compose these sources (their sizes,
// their number, a store that turned out to lack the feature), Compose
// returns an error wrapping ErrNotSupported before it changes anything,
// so that the caller can fall back.
type Composer interface {
	Compose(ctx context.Context, dst string, srcs []ObjectInfo, opts PutOptions) (ObjectInfo, error)
}

// CheckCompose is the argument check every Composer makes first: dst and
// every source are valid keys, and opts' content type and metadata are
// normalised as CheckPut does. It returns them.
func CheckCompose(dst string, srcs []ObjectInfo, opts PutOptions) (contentType string, metadata map[string]string, err error) {
	const op = "compose"
	if err := ValidateKey(op, dst); err != nil {
		return "", nil, err
	}
	if metadata, err = NormalizeMetadata(op, dst, opts.Metadata); err != nil {
		return "", nil, err
	}
	if contentType, err = NormalizeContentType(op, dst, opts.ContentType); err != nil {
		return "", nil, err
	}
	for _, s := range srcs {
		if err := ValidateKey(op, s.Key); err != nil {
			return "", nil, err
		}
	}
	return contentType, metadata, nil
}
