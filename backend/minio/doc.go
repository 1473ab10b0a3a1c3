// Package minio is the Backend of a MinIO deployment, built on
// github.com/minio/minio-go/v7.
//
// New returns the Backend to use: the endpoints of one deployment behind
// backend/failover, which spreads requests, retries and fails over.
// NewEndpoint returns the raw driver of one endpoint, which makes exactly
// one attempt per call (minio-go's own retries are off: Options.MaxRetries
// is 1). Both take a Config; docs/minio.md describes every field.
//
// Beyond backend.Backend, both offer backend.HealthChecker (MinIO's
// live, ready and cluster health endpoints), backend.BatchRemover
// (multi-object delete, 1000 keys per request), backend.Presigner and
// backend.Lifecycler (bucket lifecycle expiry rules).
//
// Unknown-size puts stream with bounded memory (Concurrency × PartSize)
// through the driver's own multipart upload; an object that would need
// more than 10,000 parts gives ErrTooLarge and its upload is aborted.
// Create-only puts (IfNotExist) use the server's conditional write
// (If-None-Match: *). User metadata round-trips exactly, non-ASCII values
// included (see metadata.go and docs/minio.md for the encoding).
//
// # URLs
//
//	minio://ACCESS:SECRET@host:9000/bucket
//	minio://ACCESS:SECRET@host1:9000,host2:9000,host3:9000/bucket
//	minio://host:9000/bucket?secure=true&ca_file=/etc/ssl/minio-ca.pem
//
// The host part is one endpoint or a comma-separated list of the
// endpoints of one deployment; the path is the bucket. Special characters
// of the access or secret key must be percent-encoded. Without a user
// part, the credentials come from MINIO_ROOT_USER / MINIO_ROOT_PASSWORD,
// else MINIO_ACCESS_KEY / MINIO_SECRET_KEY. Query parameters: secure
// (bool), region, part_size (bytes, or with a unit such as 16MiB),
// concurrency, create_bucket (bool), ca_file (PEM file of a custom CA),
// and the retry settings every network driver takes (Config.Retry, see
// backend/failover): max_attempts (a whole number), max_elapsed,
// attempt_timeout and stall_timeout (durations such as 10s), all greater
// than 0. Any other parameter is an error.
// MinIO's ellipsis notation (host{1...4}:9000) is expanded in
// Config.Endpoints; URLs cannot carry braces, so list the hosts there.
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key; it
// unwraps to a sentinel of package backend and to minio-go's error
// (minio.ErrorResponse, with the S3 code and HTTP status) or the transport
// error, so errors.As reaches the native error. The sentinel comes from
// the S3 error code, then the HTTP status, then the transport error, by
// the table the S3 driver uses too (internal/s3core, errors.go; listed in
// docs/minio.md). A missing bucket is ErrNotFound with a hint to create
// it; use after Close is ErrClosed.
//
// A Put whose reader fails reports the reader's error (errors.Is works on
// it), whatever the transport made of it. Errors, String and GoString
// never contain the secret key.
package minio
