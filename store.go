package objstore

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
)

// RemoveStore removes the store that url names, which must be empty: the
// bucket of a minio://, s3:// or gs:// URL, the container of an
// azblob:// URL, the directory of a file:// URL. It is the counterpart of
// opening with create_bucket=true (create_container=true for azblob; a
// file:// store is created by Open).
//
// RemoveStore never removes an object. A store that holds any fails with
// an error that matches ErrExist and says so (as os.Remove of a directory
// that is not empty does: ENOTEMPTY matches fs.ErrExist); remove the
// objects first with Client.RemoveObjects(ctx, "") and call it again. A
// store that does not exist is ErrNotFound. A scheme whose driver cannot
// remove stores (mem://), or whose driver is not imported, is
// ErrNotSupported; as with Open, s3://, gs:// and azblob:// need their
// driver package imported.
//
// Close the clients on the store first: a client left open on a removed
// store fails each call with ErrNotFound, or, for file://, sees a
// directory that no longer exists. Azure has no "delete if empty": the
// azblob driver checks that the container is empty and then deletes it,
// so an object written between the two is deleted with it; the other
// stores refuse the removal themselves. See the drivers' RemoveBucket,
// RemoveAzureContainer and fs.RemoveStore for the typed forms.
func RemoveStore(ctx context.Context, url string) error {
	return backend.RemoveStore(ctx, url)
}
