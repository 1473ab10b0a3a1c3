// Package s3core is what the two drivers that speak S3 (backend/minio on
// minio-go, backend/s3 on aws-sdk-go-v2) must do alike because it is the
// protocol's, not the SDK's; each driver keeps only an adapter from its
// SDK's types:
//
//   - headers (metadata.go, attributes.go, checksum.go): an object written
//     through one driver reads back identically through the other;
//   - errors (errors.go): S3 error codes and HTTP statuses as sentinels;
//     a driver reads an Answer (code, status, headers, the last for
//     Retry-After) out of its SDK's error;
//   - ranges (range.go): the Range header, the answer's Content-Range, and
//     the 416 cases;
//   - URL query parameters (query.go), part_size among them.
package s3core
