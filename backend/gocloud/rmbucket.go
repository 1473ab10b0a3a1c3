package gocloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.RegisterRemover(AzureScheme, func(ctx context.Context, u *url.URL) error {
		cfg, err := AzureConfigFromURL(u)
		if err != nil {
			return removeErr(err)
		}
		return RemoveAzureContainer(ctx, cfg)
	})
}

// removeOp is the Op of RemoveAzureContainer's errors (backend.Remover's).
const removeOp = "remove-store"

// RemoveAzureContainer removes cfg's container, which must be empty; it
// is the azblob:// remover of backend.RemoveStore and
// objstore.RemoveStore. cfg.CreateContainer is ignored. It talks to
// Azure directly (gocloud has no container API), with the credentials
// NewAzure would use.
//
// Azure's Delete Container removes the blobs in it too, and has no "only
// if empty" condition. So RemoveAzureContainer first lists at most one
// blob (committed or not: a put in progress has uncommitted blocks) and
// refuses, with ErrExist naming it, when there is one; only then does it
// delete the container. A blob written between the listing and the delete
// is deleted with the container: stop the writers first. Blobs are listed
// by their names in Azure, so blobs that gocloud cannot decode (and that
// objstore therefore does not list) make the container not empty too. A
// container that does not exist is ErrNotFound.
func RemoveAzureContainer(ctx context.Context, cfg AzureConfig) error {
	if cfg.Container == "" {
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, errors.New("azblob: container name is empty"))
	}
	client := cfg.Client
	if client == nil {
		// A transport of our own, released when done (the SDK's default
		// client is process-wide).
		transport := http.DefaultTransport.(*http.Transport).Clone()
		defer transport.CloseIdleConnections()
		var err error
		client, err = newContainerClient(cfg, &container.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: transport}}})
		if err != nil {
			return backend.NewError(removeOp, "", backend.ErrInvalidArgument, fmt.Errorf("azblob: container %q: %w", cfg.Container, err))
		}
	}
	one := int32(1)
	pager := client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		MaxResults: &one,
		Include:    container.ListBlobsInclude{UncommittedBlobs: true},
	})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return removeAzureErr(cfg.Container, "listing the container", err)
		}
		if page.Segment != nil {
			for _, item := range page.Segment.BlobItems {
				if item != nil && item.Name != nil {
					return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf(
						"azblob: the container %q is not empty: it holds %q: remove its blobs first", cfg.Container, *item.Name))
				}
			}
		}
		// An empty page with a continuation marker (Azure may return one
		// across partitions): go on.
	}
	if _, err := client.Delete(ctx, nil); err != nil {
		return removeAzureErr(cfg.Container, "removing the container", err)
	}
	return nil
}

// removeAzureErr is the error of a request of RemoveAzureContainer.
func removeAzureErr(name, doing string, err error) error {
	if bloberror.HasCode(err, bloberror.ContainerNotFound, bloberror.ContainerBeingDeleted) {
		return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("azblob: the container %q does not exist: %w", name, err))
	}
	return backend.NewError(removeOp, "", classify(err), fmt.Errorf("azblob: %s %q: %w", doing, name, err))
}

// removeErr gives a configuration error (Op "open") the Op of a removal,
// keeping its kind and cause.
func removeErr(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Op != removeOp {
		return backend.NewError(removeOp, be.Key, be.Kind, be.Err)
	}
	return err
}
