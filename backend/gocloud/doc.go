// Package gocloud bridges gocloud.dev/blob to backend.Backend: New wraps
// any *blob.Bucket (Azure, GCS, S3, files, memory: every gocloud driver),
// and NewAzure opens Azure Blob Storage through gocloud's azureblob
// driver.
//
// # Retries
//
// NewAzure (and azblob:// URLs) returns the driver wrapped in
// backend/failover, the retry layer of every network driver: retries with
// jittered backoff, AttemptTimeout and StallTimeout, downloads resumed
// against the same ETag, tuned by AzureConfig.Retry. The Azure SDK's own
// retries are off in the client NewAzure makes (MaxRetries -1), so
// attempts do not multiply; a caller's AzureConfig.Client keeps its own
// retry options. NewAzureDriver returns the raw driver, one attempt per
// request. New wraps a caller's bucket as it is, with whatever retries its
// gocloud driver has, and no retry layer: put one around it with
// failover.New (a Resolve that names one endpoint, an Open that returns
// the Backend) after turning the bucket's own retries off.
//
// # Ownership
//
// New does not take the bucket over: Close of the Backend leaves the
// bucket open unless OwnBucket is given, as a *storage.Client given to
// gcs.New stays its owner's. NewAzure, NewAzureDriver and azblob:// URLs
// open their own bucket and HTTP client, and Close closes both.
//
// # URLs
//
//	azblob://CONTAINER[?create_container=true&key_encoding=azure|raw&domain=D&protocol=http|https&localemu=true&cdn=true&storage_account=A&max_attempts=N&attempt_timeout=10s&stall_timeout=30s&max_elapsed=1m]
//
// The account, credentials and endpoint come from gocloud's environment
// variables, read at each Open: AZURE_STORAGE_ACCOUNT with
// AZURE_STORAGE_KEY (shared key), AZURE_STORAGE_SAS_TOKEN,
// AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGEBLOB_CONNECTIONSTRING),
// else Azure's default credential chain; AZURE_STORAGE_DOMAIN,
// AZURE_STORAGE_PROTOCOL, AZURE_STORAGE_IS_CDN and
// AZURE_STORAGE_IS_LOCAL_EMULATOR shape the service URL. For Azurite on
// 127.0.0.1:10000, set AZURE_STORAGE_ACCOUNT=devstoreaccount1, its
// well-known key, AZURE_STORAGE_DOMAIN=127.0.0.1:10000 and
// AZURE_STORAGE_PROTOCOL=http. See AzureConfigFromURL for the query;
// max_attempts, max_elapsed, attempt_timeout and stall_timeout are the
// retry settings every network driver's URL takes (AzureConfig.Retry).
//
// Only azblob:// is registered here; other gocloud URLs (s3://, gs://,
// mem://, file://) would clash with this module's own drivers, so open
// them with gocloud (blob.OpenBucket) and wrap the bucket with New.
//
// # Keys
//
// azblob:// and NewAzure store keys through AzureKeys, an encoding that
// changes a few characters (" # $ % > ? [ \ and characters above U+FFFC)
// so that Azure, which sorts names in UTF-16 order, lists keys in the byte
// order every driver keeps; key_encoding=raw (AzureConfig.RawKeys) stores
// them as gocloud does, for containers shared with other programs. New
// uses RawKeys unless WithKeyCodec says otherwise.
//
// # Attributes and checksums
//
// The HTTP attributes are gocloud's own (WriterOptions and Attributes
// CacheControl, ContentDisposition, ContentEncoding, ContentLanguage). The
// checksum is the MD5 gocloud reports: on Azure the Content-MD5 property,
// which Put commits with every blob it writes (put.go); memblob and
// fileblob compute one; gcsblob reports GCS's. Reads return the stored
// bytes, never decoded by their Content-Encoding (storedBytes).
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key. The
// gcerrors code gives the sentinel: NotFound is backend.ErrNotFound,
// AlreadyExists backend.ErrExist, FailedPrecondition of a create-only put
// backend.ErrExist (elsewhere ErrInvalidArgument), InvalidArgument
// ErrInvalidArgument, PermissionDenied ErrPermission, Unimplemented
// ErrNotSupported, ResourceExhausted ErrServerBusy. For Unknown and
// Internal, the HTTP status of the native error (*azcore.ResponseError,
// *googleapi.Error, AWS errors) maps with backend.KindForStatus and a
// network failure with backend.NetworkKind. An Azure refusal of bytes
// that do not match the MD5 sent with them (400 Md5Mismatch; Azurite's
// InvalidOperation "Provided contentMD5 doesn't match.") is
// backend.ErrCorrupt. The gocloud error and the driver's native error
// stay reachable with errors.As. An error of the caller's reader is
// returned wrapped and never classified as a store failure.
package gocloud
