package s3

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
)

// What the driver knows of the server it talks to, from the Server header
// of its answers.
const (
	serverUnknown int32 = iota
	serverMinIO
	serverOther
)

// serverSniffer records the Server header of every answer in kind.
func serverSniffer(kind *atomic.Int32) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("objstoreServerKind",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Header.Get("Server") != "" {
					if strings.EqualFold(resp.Header.Get("Server"), "MinIO") {
						kind.Store(serverMinIO)
					} else {
						kind.Store(serverOther)
					}
				}
				return out, md, err
			}), middleware.After)
	}
}

// checkKeyConflict refuses, on MinIO, a key that is the "directory" of an
// object ("a/b" when "a" exists) or whose "directory" holds objects ("a"
// when "a/b" exists), with ErrExist.
//
// MinIO stores both, but its listings never show the objects below an
// object key (not even with that key and a slash as the prefix), so a
// ListObjects or RemoveObjects would silently miss them. AWS S3 lists
// both; versitygw and the fs driver refuse the second key with a
// conflict. Refusing it on MinIO too makes the three behave alike for our
// users: nothing is stored that a listing cannot see. The check costs one
// HEAD per '/' in the key and one LIST, sent together, and only on MinIO
// (and on the first put, before the server is known). Two puts that race
// (one of "a", one of "a/b") can both pass it.
func (d *Driver) checkKeyConflict(ctx context.Context, key string) error {
	if d.server.Load() == serverOther {
		return nil
	}
	var ancestors []string
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			ancestors = append(ancestors, key[:i])
		}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		conflict string // an existing object that conflicts
		failure  error
	)
	report := func(other string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if other != "" && conflict == "" {
			conflict = other
		}
		if err != nil && failure == nil {
			failure = err
		}
	}
	for _, a := range ancestors {
		wg.Go(func() {
			_, err := d.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(a)}, d.callOpts...)
			switch {
			case err == nil:
				report(a, nil)
			case kindOf(err) != backend.ErrNotFound:
				report("", err)
			}
		})
	}
	wg.Go(func() {
		out, err := d.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(d.bucket), Prefix: aws.String(key + "/"), MaxKeys: aws.Int32(1),
		}, d.callOpts...)
		switch {
		case err != nil:
			report("", err)
		case len(out.Contents) > 0:
			report(aws.ToString(out.Contents[0].Key), nil)
		}
	})
	wg.Wait()
	switch {
	case conflict != "" && strings.HasPrefix(conflict, key+"/"):
		return backend.NewError("put", key, backend.ErrExist,
			fmt.Errorf("object %q exists below this key, and MinIO cannot list objects below an object key", conflict))
	case conflict != "":
		return backend.NewError("put", key, backend.ErrExist,
			fmt.Errorf("object %q exists, and MinIO cannot list objects below an object key", conflict))
	case failure != nil:
		return wrapErr("put", key, failure)
	}
	return nil
}
