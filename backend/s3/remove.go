package s3

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// maxDeleteKeys is the most keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

// Remove deletes key with DeleteObject. S3 answers 204 for a missing key;
// a server that answers 404 instead is treated the same (nil).
func (d *Driver) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	if err := d.check(ctx, "remove", key); err != nil {
		return err
	}
	_, err := d.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(key)}, d.callOpts...)
	if err != nil {
		if kind := kindOf(err); kind == backend.ErrNotFound && answerOf(err).Code != "NoSuchBucket" {
			return nil
		}
		return wrapErr("remove", key, err)
	}
	return nil
}

// RemoveMany deletes keys with DeleteObjects, 1,000 keys a request (in
// quiet mode: the server reports only failures). Every key is checked with
// backend.CheckRemoveKeys before any request; the keys of a listing
// (backend.WithListedKeys) are sent as they are, folder markers
// ("photos/") included. The error joins one *backend.Error per key that
// was not removed: a key CheckRemoveKeys refused (ErrInvalidKey), a key
// the server refused (its native error is a smithy.APIError with the
// server's code), and every key of a request that failed as a whole and
// of the requests not sent after it.
func (d *Driver) RemoveMany(ctx context.Context, keys []string) error {
	if err := d.check(ctx, "remove", ""); err != nil {
		return err
	}
	keys, errs := backend.CheckRemoveKeys(ctx, keys)
	for start := 0; start < len(keys); start += maxDeleteKeys {
		batch := keys[start:min(start+maxDeleteKeys, len(keys))]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := d.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(d.bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		}, d.callOpts...)
		if err != nil {
			kind := kindOf(err)
			for _, k := range keys[start:] {
				errs = append(errs, backend.NewError("remove", k, kind,
					fmt.Errorf("batch delete of %d keys from %q failed: %w", len(batch), batch[0], err)))
			}
			break
		}
		for _, e := range out.Errors {
			code := aws.ToString(e.Code)
			if s3core.KindForCode(code) == backend.ErrNotFound && code != "NoSuchBucket" {
				continue // already gone
			}
			cause := &smithy.GenericAPIError{Code: code, Message: aws.ToString(e.Message), Fault: smithy.FaultServer}
			errs = append(errs, backend.NewError("remove", aws.ToString(e.Key), s3core.KindForCode(code), cause))
		}
	}
	return errors.Join(errs...)
}
