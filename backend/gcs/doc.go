// Package gcs is the Google Cloud Storage driver, built on
// cloud.google.com/go/storage (JSON API over HTTP; object bytes are read
// through the XML API, see Attributes and checksums).
//
// New opens one bucket with a Config and returns the driver wrapped in
// backend/failover, the retry layer of every network driver (retries with
// jittered backoff, AttemptTimeout and StallTimeout, downloads resumed
// against the same ETag; Config.Retry tunes it); NewDriver returns the
// raw driver, one attempt per operation. The storage library's own
// retries are always off, so attempts do not multiply (the library still
// re-requests the rest of a download whose connection broke, once per
// break and pinned to its generation; the failover layer resumes when
// that fails too). The caller may pass a *storage.Client of its own,
// which the Backend then uses and never closes. Otherwise New creates a
// client with Application Default Credentials, or with no credentials at
// all when STORAGE_EMULATOR_HOST names an emulator (fake-gcs-server, the
// storage testbench). Close closes a client New created and, when that
// client sends no credentials, the idle connections of its HTTP
// transport.
//
// # URLs
//
//	gs://BUCKET[?create_bucket=true&project=ID&chunk_size=BYTES&endpoint=URL&anonymous=true&max_attempts=N&attempt_timeout=10s&stall_timeout=30s&max_elapsed=1m]
//
// The query parameters:
//
//   - create_bucket=true creates the bucket if it does not exist; it needs
//     a project (project=ID, or $GOOGLE_CLOUD_PROJECT).
//   - chunk_size is the upload buffer of one Put, in bytes (default
//     16 MiB, rounded up to a multiple of 256 KiB): objects larger than
//     it, or of unknown size, are sent as resumable uploads in chunks of
//     this size, so memory stays bounded by it.
//   - max_attempts, max_elapsed, attempt_timeout and stall_timeout are
//     the retry settings of every network driver (Config.Retry, see
//     backend/failover): attempts per operation (default 5), the time
//     after which no retry starts (1m), the bound of one metadata request
//     or the wait for an answer (10s), and of a transfer without progress
//     (30s). max_attempts is a whole number, the others durations such as
//     30s, all greater than 0.
//   - endpoint overrides the JSON API endpoint (e.g. a private endpoint,
//     or an emulator's http://HOST:PORT/storage/v1/); anonymous=true sends
//     no credentials (public buckets, emulators).
//   - With STORAGE_EMULATOR_HOST=HOST:PORT set, the storage library talks
//     to that emulator without credentials; nothing else is needed.
//
// Unknown query parameters are an error, so that a typo is not ignored.
// Credentials never appear in a URL: they come from the environment
// (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC, the metadata server).
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key. A
// missing object (storage.ErrObjectNotExist, HTTP 404) is
// backend.ErrNotFound; a failed create-only precondition (HTTP 412) is
// backend.ErrExist; other HTTP statuses of a *googleapi.Error map with
// backend.KindForStatus, and transport failures with backend.NetworkKind.
// The native error stays reachable with errors.As (for example
// *googleapi.Error). An upload that GCS refuses because its bytes do not
// match the CRC32C declared with them, and a whole-object read whose bytes
// do not match the object's CRC32C (the storage library's check), are
// backend.ErrCorrupt. An error of the caller's reader is returned wrapped,
// with the reader's own error reachable, and is never classified as a
// store failure.
//
// # Attributes and checksums
//
// The HTTP attributes (Cache-Control, Content-Disposition,
// Content-Encoding, Content-Language) are fields of the object resource;
// the checksum is the CRC32C GCS keeps with every object. Reads return the
// stored bytes, never decoded: an object with a Content-Encoding is read
// with ReadCompressed, which needs XML reads (the client New makes uses
// them; a caller's client with JSON reads gets ErrNotSupported for such an
// object).
//
// # Atomicity
//
// A Put streams into a storage.Writer. When the caller's reader fails, the
// declared size is not met, or ctx ends, the Put cancels the writer's
// context and fails its pipe before waiting for the upload goroutine; the
// writer is never finished normally, so GCS never finalises the object.
// A resumable upload session started for it is left to expire on the
// server (GCS deletes unfinished sessions after a week); it holds no
// object and is never listed.
package gcs
