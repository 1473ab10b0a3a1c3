package s3core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/objstore-dev/objstore/backend"
)

// codeKinds maps the S3 error codes (AWS's, MinIO's XMinio* ones, and the
// few other servers send) whose meaning the HTTP status alone does not
// give, or gives wrongly, to the sentinels. A code decides where there is
// no status at all: the per-key results of a multi-object delete.
var codeKinds = byKind(map[error][]string{
	// NoSuchUpload is a 404 that is not about the key: the upload is gone.
	backend.ErrNotFound: {"NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchVersion", "NoSuchUpload"},
	// PreconditionFailed: the failure of a create-only put (If-None-Match:
	// *); Get and IfMatch puts make the 412 ErrPreconditionFailed
	// themselves. versitygw's posix backend cannot hold "a" and "a/b"
	// together, a conflict the fs driver reports as ErrExist too.
	backend.ErrExist: {"PreconditionFailed", "ObjectParentIsFile", "ExistingObjectIsDirectory"},
	backend.ErrPermission: {"AccessDenied", "AccountProblem", "AllAccessDisabled", "ExpiredToken",
		"Forbidden", "InvalidAccessKeyId", "InvalidSecurity", "InvalidToken", "RequestTimeTooSkewed",
		"SignatureDoesNotMatch", "TokenRefreshRequired"},
	// The server refuses the name of the object: the sentinel of
	// backend.ValidateKey's refusal, whichever side finds the key bad (S3
	// refuses keys over 1,024 bytes, MinIO names its disks cannot hold).
	// Not ErrInvalidArgument: nothing but the key is wrong, and a caller
	// that handles bad keys must see this one too.
	backend.ErrInvalidKey: {"KeyTooLongError", "InvalidObjectName", "XMinioInvalidObjectName",
		"XMinioInvalidResourceName"},
	// InvalidRange: see EmptyRange for the Get contract.
	backend.ErrInvalidArgument: {"EntityTooSmall", "IncompleteBody", "InvalidArgument", "InvalidBucketName",
		"InvalidDigest", "InvalidPart", "InvalidPartOrder", "InvalidRange", "InvalidRequest", "MalformedXML",
		"MetadataTooLarge", "MissingContentLength"},
	backend.ErrTooLarge:     {"EntityTooLarge", "MaxMessageLengthExceeded", "XMinioStorageFull"},
	backend.ErrNotSupported: {"NotImplemented"},
	// Transient: back off and try again. RequestTimeout is a 400.
	// ConditionalRequestConflict is a 409 that S3 documents as "a
	// conflicting operation occurred; retry" (a concurrent conditional
	// write or multipart completion on the key): it says nothing about
	// whether the key exists, and a retry settles it. BadDigest and the
	// content mismatches (400): the bytes that arrived differ from those
	// whose digest was sent, damaged on the way or changed in the caller's
	// reader between the hash and the send (Explain says so); a retry
	// reads, hashes and sends them again.
	backend.ErrServerBusy: {"SlowDown", "SlowDownRead", "SlowDownWrite", "Throttling", "ThrottlingException",
		"RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "BandwidthLimitExceeded",
		"InternalError", "ServiceUnavailable", "RequestTimeout", "XMinioServerNotInitialized",
		"XMinioReadQuorum", "XMinioWriteQuorum", "XMinioInsufficientReadQuorum",
		"XMinioInsufficientWriteQuorum", "ConditionalRequestConflict",
		"BadDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch"},
})

func byKind(codes map[error][]string) map[string]error {
	m := map[string]error{}
	for kind, cc := range codes {
		for _, c := range cc {
			if m[c] != nil {
				panic("s3core: error code " + c + " is listed twice")
			}
			m[c] = kind
		}
	}
	return m
}

// Explain returns err with what its S3 error code means for the caller
// added to its text, where the server's message does not say it; err
// stays reachable with errors.As. nil stays nil.
func Explain(err error, a Answer) error {
	switch a.Code {
	case "BadDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch":
		return fmt.Errorf("%w (the bytes the store received do not match the hash sent with them: "+
			"they were damaged on the way, or changed in the reader while the put read them, as a file "+
			"rewritten during its upload; a retry reads and hashes them again)", err)
	}
	return err
}

// KindForCode returns the sentinel of an S3 error code, or nil for a code
// the table does not know (the HTTP status then decides).
func KindForCode(code string) error { return codeKinds[code] }

// Answer is what a driver's adapter reads from its SDK's error: the S3
// error code, the HTTP status and the headers of the server's answer.
// Each is zero when the SDK's error does not carry it (a transport
// failure has none; a per-key result of a multi-object delete has a code
// only).
type Answer struct {
	Code   string
	Status int
	Header http.Header
}

// Kind returns the sentinel that err, with a of the server's answer to
// it, means, or nil when none fits (the caller's own cancellation, a
// local error):
//
//   - an err that already holds a *backend.Error with a Kind keeps it;
//   - else the error code, the most precise signal (a 400 can be a bad
//     argument or a request timeout; see codeKinds);
//   - else the HTTP status (backend.KindForStatus);
//   - else the transport: backend.NetworkKind, and a bare
//     io.ErrUnexpectedEOF, an answer cut short on the wire, is
//     ErrUnavailable too.
func Kind(err error, a Answer) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Kind != nil {
		return be.Kind
	}
	if k := KindForCode(a.Code); k != nil {
		return k
	}
	if k := backend.KindForStatus(a.Status); k != nil {
		return k
	}
	if k := backend.NetworkKind(err); k != nil {
		return k
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, context.Canceled) {
		return backend.ErrUnavailable
	}
	return nil
}
