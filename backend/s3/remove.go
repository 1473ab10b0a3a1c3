package s3

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// DeleteObject removes key. S3 answers 204 for a missing key; a server
// that answers 404 instead is treated the same (nil).
func (u uploader) DeleteObject(ctx context.Context, key string) error {
	_, err := u.d.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(u.d.bucket), Key: aws.String(key)}, u.d.callOpts...)
	if err == nil || kindOf(err) == backend.ErrNotFound && answerOf(err).Code != "NoSuchBucket" {
		return nil
	}
	return wrapErr("remove", key, err)
}

// DeleteObjects removes a batch with one DeleteObjects in quiet mode (the
// server reports only failures); a key the server refused carries a
// smithy.APIError with the server's code.
func (u uploader) DeleteObjects(ctx context.Context, batch []string) (errs []error, fatal error) {
	ids := make([]types.ObjectIdentifier, len(batch))
	for i, k := range batch {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	out, err := u.d.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(u.d.bucket),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	}, u.d.callOpts...)
	if err != nil {
		kind := kindOf(err)
		for _, k := range batch {
			errs = append(errs, backend.NewError("remove", k, kind,
				fmt.Errorf("batch delete of %d keys from %q failed: %w", len(batch), batch[0], err)))
		}
		return errs, err
	}
	for _, e := range out.Errors {
		code := aws.ToString(e.Code)
		if s3core.KindForCode(code) == backend.ErrNotFound && code != "NoSuchBucket" {
			continue // already gone
		}
		cause := &smithy.GenericAPIError{Code: code, Message: aws.ToString(e.Message), Fault: smithy.FaultServer}
		errs = append(errs, backend.NewError("remove", aws.ToString(e.Key), s3core.KindForCode(code), cause))
	}
	return errs, nil
}
