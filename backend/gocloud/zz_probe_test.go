package gocloud_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestProbeAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	cred, err := azblob.NewSharedKeyCredential(az.Account, az.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(az.Endpoint+"/", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateContainer(ctx, "probe", nil); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a b", "a%20b", "a+b", "\uff5e", "😀", "é", "x/dots..", "x/...", "x/trailing ", `x/back\slash`, "x/hash#h", "x/q?m", `x/d"q`, "x/pct%zz"}
	for _, k := range keys {
		_, err := c.UploadBuffer(ctx, "probe", k, []byte(k), nil)
		fmt.Printf("put %q: %v\n", k, err)
	}
	pager := c.NewListBlobsFlatPager("probe", nil)
	for pager.More() {
		p, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Segment.BlobItems {
			fmt.Printf("listed %q\n", *it.Name)
		}
	}
	for _, k := range keys {
		r, err := c.DownloadStream(ctx, "probe", k, nil)
		if err != nil {
			fmt.Printf("get %q: %v\n", k, err)
			continue
		}
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		r.Body.Close()
		fmt.Printf("get %q: %q\n", k, b.String())
	}
}
