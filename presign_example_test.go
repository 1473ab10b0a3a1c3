package objstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/s3"
)

// Hand out a URL with which a browser, curl or any HTTP client uploads
// one CSV file, with no credentials, for an hour. Signing is local: no
// request reaches the server here. On a store that cannot presign
// (mem://, file://) the answer is ErrNotSupported, and the application
// moves the bytes itself.
func ExampleClient_Presign() {
	ctx := context.Background()
	b, err := s3.New(ctx, s3.Config{
		Bucket:      "reports",
		Region:      "eu-west-1",
		Endpoint:    "http://127.0.0.1:9000",
		PathStyle:   true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "not-a-real-secret", ""),
	})
	if err != nil {
		log.Fatal(err)
	}
	c := objstore.New(b)
	defer c.Close()

	// The holder must send Content-Type: text/csv; another is refused.
	put, err := c.Presign(ctx, http.MethodPut, "2026/q1.csv", time.Hour, backend.PresignOptions{ContentType: "text/csv"})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(put)
	q := u.Query()
	fmt.Println(u.Scheme, u.Host, u.Path)
	fmt.Println(q.Get("X-Amz-Expires"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature") != "")

	_, err = c.Presign(ctx, http.MethodGet, "2026/q1.csv", 8*24*time.Hour, backend.PresignOptions{})
	fmt.Println(errors.Is(err, objstore.ErrInvalidArgument))

	mem, _ := objstore.Open(ctx, "mem://")
	defer mem.Close()
	_, err = mem.Presign(ctx, http.MethodGet, "2026/q1.csv", time.Hour, backend.PresignOptions{})
	fmt.Println(errors.Is(err, objstore.ErrNotSupported))
	// Output:
	// http 127.0.0.1:9000 /reports/2026/q1.csv
	// 3600 content-type;host true
	// true
	// true
}
