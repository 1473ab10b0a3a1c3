// Package s3 is the Amazon S3 driver (github.com/aws/aws-sdk-go-v2), also
// for S3-compatible servers such as MinIO and versitygw.
//
// New returns the driver wrapped in backend/failover (retries, backoff,
// timeouts, resumed downloads); NewDriver returns the raw driver, one
// attempt per operation. The SDK's own retries are always off.
//
// # URLs
//
//	s3://BUCKET?region=eu-west-1
//	s3://BUCKET?endpoint=http://127.0.0.1:9000&path_style=true&create_bucket=true
//
// Parameters: region, endpoint (base URL of an S3-compatible server),
// path_style (bool), part_size (bytes, or 8MiB), concurrency (parts in
// flight per upload), create_bucket (bool), and the retry settings every
// network driver takes (Config.Retry, see backend/failover): max_attempts
// (a whole number), attempt_timeout, stall_timeout, max_elapsed
// (durations like 30s), all greater than 0. Unknown parameters are
// errors. Credentials never come from
// the URL: they come from the standard AWS chain (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE and the shared
// files, SSO, web identity, container and instance roles), or from
// Config.Credentials with the typed constructor, which also accepts a
// caller's *s3.Client.
//
// # Uploads and memory
//
// A Put reads its reader one part (Config.PartSize, default 8 MiB) at a
// time. An object that fits in one part is sent with one PutObject; a
// larger one, or a stream of unknown size that turns out larger, with a
// multipart upload whose parts are sent Config.Concurrency (default 3) at
// a time. One upload holds at most PartSize × Concurrency bytes (24 MiB by
// default), whatever the object's size. A multipart upload that fails (a
// reader error, a cancelled context, a refused part) is aborted, so no
// incomplete upload is left; an object needs at most 10,000 parts, so the
// largest object is PartSize × 10,000 (ErrTooLarge beyond, before any I/O
// when the size is known, and with the upload aborted when it is not).
//
// Create-only puts (PutOptions.IfNotExist) send If-None-Match: * on the
// PutObject or the CompleteMultipartUpload; the server decides atomically.
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key. Its
// Kind comes from the S3 error code, then the HTTP status, then the
// network error, by the table the MinIO driver uses too (internal/s3core,
// errors.go; listed in docs/s3.md). The SDK's error stays reachable with
// errors.As: smithy.APIError for the code, *awshttp.ResponseError for the
// status, *net.OpError and the like for the connection. Per-key failures
// of RemoveMany carry a smithy.APIError with the code the server gave for
// that key.
//
// # Metadata
//
// User metadata travels in x-amz-meta-* headers; values that are not
// printable ASCII, or contain "=?", are sent as RFC 2047 encoded words
// (package internal/s3core, shared with the MinIO driver) and decoded on
// the way back, so Stat returns exactly what backend.NormalizeMetadata
// made of the Put's map.
package s3
