package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// presignMethods maps the presign subcommand's method word to HTTP.
var presignMethods = map[string]string{
	"get":    http.MethodGet,
	"head":   http.MethodHead,
	"put":    http.MethodPut,
	"delete": http.MethodDelete,
}

func (a *app) presignCommand() *cobra.Command {
	var expiry time.Duration
	var contentType string
	cmd := &cobra.Command{
		Use:   "presign get|put|head|delete KEY",
		Short: "Print a URL that lets anyone get, put, stat or delete KEY until it expires",
		Long: `presign prints a URL that lets its holder make one request on the object
KEY with a plain HTTP client (curl) and no credentials, until --expiry
(default 1h; at most 7 days on S3 and GCS) has passed: GET reads it, HEAD
its size and attributes, PUT stores the request body as KEY, DELETE
removes it. --content-type (put only) binds the Content-Type header the
PUT must send.

The URL is a secret until it expires: whoever holds it can make that
request. minio://, s3://, gs:// and azblob:// stores sign URLs; file://
stores cannot (exit 1).`,
		Example: `  curl -fsS "$(objstore presign get captures/a.pcap)" -o a.pcap
  curl -fsS -T a.pcap -H 'Content-Type: application/vnd.tcpdump.pcap' \
    "$(objstore presign put --content-type application/vnd.tcpdump.pcap --expiry 10m captures/a.pcap)"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(2)(cmd, args); err != nil {
				return err
			}
			if _, ok := presignMethods[strings.ToLower(args[0])]; !ok {
				return usagef("presign %s: the method is get, put, head or delete", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			method, key := presignMethods[strings.ToLower(args[0])], args[1]
			op := "presign " + strings.ToLower(args[0])
			if contentType != "" && method != http.MethodPut {
				return usagef("%s %q: --content-type binds the body of a PUT: use it with presign put", op, key)
			}
			if err := checkContentType(contentType); err != nil {
				return err
			}
			if expiry < time.Second {
				return usagef("%s %q: --expiry %v: at least 1s", op, key, expiry)
			}
			if err := backend.ValidateKey(op, key); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, op, existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			u, err := c.Presign(ctx, method, key, expiry, backend.PresignOptions{ContentType: contentType})
			if _, can := backend.As[backend.Presigner](c.Backend()); !can && errors.Is(err, objstore.ErrNotSupported) {
				scheme, _ := parseScheme(a.storeURL())
				return &cmdError{op: op, key: key, kind: objstore.ErrNotSupported, msg: fmt.Sprintf(
					"a %s:// store cannot sign URLs; presign works on minio://, s3://, gs:// and azblob:// stores", scheme)}
			}
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.emit(map[string]any{"method": method, "key": key, "url": u,
					"expires": timeText(time.Now().Add(expiry)), "content_type": contentType})
			}
			fprintf(a.out, "%s\n", u)
			return nil
		},
	}
	cmd.Flags().DurationVar(&expiry, "expiry", time.Hour, "how long the URL works (e.g. 10m, 1h, 24h)")
	cmd.Flags().StringVar(&contentType, "content-type", "", "put only: the Content-Type the PUT must send")
	return cmd
}
