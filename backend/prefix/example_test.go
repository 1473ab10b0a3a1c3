package prefix_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/prefix"
)

// Give each tenant a client confined to its own prefix of one store: its
// keys, listings and errors are relative to the prefix, and nothing
// outside it can be reached.
func Example() {
	ctx := context.Background()
	store := mem.New()
	defer store.Close()

	view, err := prefix.New(store, "tenants/acme/")
	if err != nil {
		panic(err)
	}
	acme := objstore.New(view)
	defer acme.Close()

	_, _ = acme.PutObject(ctx, "captures/a.pcap", strings.NewReader("pcap"), nil)
	_, _ = store.Put(ctx, "tenants/other/secret", strings.NewReader("x"), backend.PutOptions{Size: 1})

	for o, err := range acme.Objects(ctx, "") {
		if err != nil {
			panic(err)
		}
		fmt.Println("acme sees:", o.Key)
	}
	page, _ := store.List(ctx, backend.ListOptions{})
	for _, o := range page.Objects {
		fmt.Println("the store holds:", o.Key)
	}
	_, err = acme.StatObject(ctx, "../other/secret")
	fmt.Println(err)
	_, err = acme.StatObject(ctx, "captures/b.pcap")
	fmt.Println(err)
	// Output:
	// acme sees: captures/a.pcap
	// the store holds: tenants/acme/captures/a.pcap
	// the store holds: tenants/other/secret
	// objstore: stat "../other/secret": invalid key: key contains a '.' or '..' segment (keys are 1-1024 bytes of UTF-8 without control characters, leading or trailing '/', '//', '.' or '..' segments)
	// objstore: stat "captures/b.pcap": object not found: no object and no stream object of that name
}
