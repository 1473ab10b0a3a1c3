//go:build !leanchild

package main

import (
	"bytes"
	"context"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob/azureblob"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/gocloud"
)

// The contestants of the azblob workload, on Azurite: every one signs
// with the shared key of Azurite's development account (t.AccessKey,
// t.SecretKey) and uses the container t.Bucket.

func init() {
	bucketMakers[serverAzure] = func(ctx context.Context, t target) error {
		c, err := newAzblobClient(t)
		if err != nil {
			return err
		}
		_, err = c.CreateContainer(ctx, t.Bucket, nil)
		return err
	}
	allStores = append(allStores,
		contestant{nameObjAzure, serverAzure, true, openObjstoreAzure},
		contestant{nameAzureblob, serverAzure, false, openAzureblob},
		contestant{nameAzblob, serverAzure, false, openAzblob})
}

// azureServiceURL is the blob service of the Azurite at t.
func azureServiceURL(t target) string { return t.URL() + "/" + t.AccessKey }

// openObjstoreAzure is the azblob driver (azblob://CONTAINER, through
// gocloud's azureblob) with its defaults.
func openObjstoreAzure(ctx context.Context, t target) (store, error) {
	b, err := gocloud.NewAzure(ctx, gocloud.AzureConfig{
		Container:   t.Bucket,
		ServiceURL:  azureServiceURL(t),
		AccountName: t.AccessKey,
		AccountKey:  t.SecretKey,
	})
	if err != nil {
		return nil, err
	}
	return &objstoreStore{name: nameObjAzure, c: objstore.New(b)}, nil
}

// openAzureblob is gocloud's azureblob on a container client, defaults
// (uploads of 8 MiB blocks, 5 at a time).
func openAzureblob(ctx context.Context, t target) (store, error) {
	cred, err := container.NewSharedKeyCredential(t.AccessKey, t.SecretKey)
	if err != nil {
		return nil, err
	}
	cc, err := container.NewClientWithSharedKeyCredential(azureServiceURL(t)+"/"+t.Bucket, cred, nil)
	if err != nil {
		return nil, err
	}
	b, err := azureblob.OpenBucket(ctx, cc, nil)
	if err != nil {
		return nil, err
	}
	return &blobStore{name: nameAzureblob, b: b}, nil
}

// azblobStore is the raw azblob client with its defaults: UploadBuffer
// for a []byte in hand (one Put Blob up to 256 MiB), UploadStream for an
// unknown size (1 MiB blocks, one at a time), DownloadStream, or
// for objects above one download block (4 MiB) the parallel DownloadBuffer
// (4 MiB blocks, 5 at a time) into a buffer kept across gets, the flat
// listing pager.
type azblobStore struct {
	c         *azblob.Client
	container string
	buf       []byte
}

func newAzblobClient(t target) (*azblob.Client, error) {
	cred, err := azblob.NewSharedKeyCredential(t.AccessKey, t.SecretKey)
	if err != nil {
		return nil, err
	}
	return azblob.NewClientWithSharedKeyCredential(azureServiceURL(t), cred, nil)
}

func openAzblob(_ context.Context, t target) (store, error) {
	c, err := newAzblobClient(t)
	if err != nil {
		return nil, err
	}
	return &azblobStore{c: c, container: t.Bucket}, nil
}

func (s *azblobStore) Name() string { return nameAzblob }

func (s *azblobStore) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.c.UploadBuffer(ctx, s.container, key, data, nil)
	return err
}

func (s *azblobStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	_, err := s.c.UploadStream(ctx, s.container, key, r, nil)
	return err
}

func (s *azblobStore) Get(ctx context.Context, key string, size int64, w io.Writer) (int64, error) {
	if size > azblobblob.DefaultDownloadBlockSize {
		if int64(cap(s.buf)) < size {
			s.buf = make([]byte, size)
		}
		n, err := s.c.DownloadBuffer(ctx, s.container, key, s.buf[:size], nil)
		if err != nil {
			return n, err
		}
		_, err = io.Copy(w, bytes.NewReader(s.buf[:n]))
		return n, err
	}
	resp, err := s.c.DownloadStream(ctx, s.container, key, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return drain(w, resp.Body, make([]byte, copyBufSize))
}

func (s *azblobStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	p := s.c.NewListBlobsFlatPager(s.container, &azblob.ListBlobsFlatOptions{Prefix: &prefix})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, err
		}
		n += len(page.Segment.BlobItems)
	}
	return n, nil
}

func (s *azblobStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	p := s.c.ServiceClient().NewContainerClient(s.container).NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: &prefix})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return objects, prefixes, err
		}
		objects += len(page.Segment.BlobItems)
		prefixes += len(page.Segment.BlobPrefixes)
	}
	return objects, prefixes, nil
}

func (s *azblobStore) Close() error { return nil }
