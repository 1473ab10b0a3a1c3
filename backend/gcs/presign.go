package gcs

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/storage"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Presigner = (*Backend)(nil)

// MaxPresignExpiry is the longest validity of a V4 signed URL.
const MaxPresignExpiry = 7 * 24 * time.Hour

// presignConfig is what New knows, and Presign needs, about how URLs are
// signed: the storage library's client keeps it to itself.
type presignConfig struct {
	// anonymous: the client New made has no credentials (Anonymous, or
	// STORAGE_EMULATOR_HOST, with which the library drops them).
	anonymous bool
	// insecure: the endpoint the client New made talks to is plain HTTP
	// (an emulator), so the URLs are http:// too. The library signs
	// https:// URLs unless told otherwise; the scheme is not signed.
	insecure bool
}

// presignConfigOf derives the presignConfig of a Backend that New opens
// with cfg. A caller's Client is taken to have credentials and to talk
// to https://.
func presignConfigOf(cfg Config) presignConfig {
	if cfg.Client != nil {
		return presignConfig{}
	}
	emulator := os.Getenv("STORAGE_EMULATOR_HOST")
	endpoint := cfg.Endpoint
	if endpoint == "" && emulator != "" {
		endpoint = emulator
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint // as the library reads it
		}
	}
	insecure := false
	if u, err := url.Parse(endpoint); err == nil && strings.EqualFold(u.Scheme, "http") {
		insecure = true
	}
	return presignConfig{anonymous: cfg.Anonymous || emulator != "", insecure: insecure}
}

// Presign returns a V4 signed URL (GOOG4-RSA-SHA256) that lets its holder
// make one GET, HEAD, PUT or DELETE request on the object at key, with no
// credentials, until expiry (1 second to 7 days) passes. With
// opts.ContentType, a PUT must send exactly that Content-Type (the header
// is signed). The URL is path-style on the client's XML API host
// (https://storage.googleapis.com/BUCKET/KEY?X-Goog-...).
//
// It signs with the client's credentials, as the storage library finds
// them: the private key of a service-account key in the client's
// credentials (GOOGLE_APPLICATION_CREDENTIALS, or
// option.WithCredentialsFile in Config.ClientOptions) signs locally, with
// no request; otherwise (a GCE or GKE service account, impersonation) the
// IAM Credentials API's signBlob signs, one request per URL that ctx does
// not interrupt, and the account needs
// iam.serviceAccounts.signBlob on itself. An anonymous client, one for
// STORAGE_EMULATOR_HOST, or credentials without a service account (a
// user's gcloud login) cannot sign: ErrNotSupported.
func (b *Backend) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if err := backend.CheckPresign(method, key, expiry, MaxPresignExpiry, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := b.guard.Ready(ctx, op, key); err != nil {
		return "", err
	}
	if b.presign.anonymous {
		return "", backend.NewError(op, key, backend.ErrNotSupported,
			errors.New("gcs: presigned URLs need a service account's credentials; this client is anonymous"))
	}
	u, err := b.bucket.SignedURL(key, &storage.SignedURLOptions{
		Scheme: storage.SigningSchemeV4,
		Method: method,
		// X-Goog-Expires is the whole seconds from the moment of signing,
		// a little after now: the half second keeps it at expiry rather
		// than a second short (and within the library's 7-day bound).
		Expires:     time.Now().Add(expiry.Truncate(time.Second) + time.Second/2),
		ContentType: opts.ContentType,
		Insecure:    b.presign.insecure,
	})
	if err != nil {
		if kind := classify(err); kind != nil {
			return "", backend.NewError(op, key, kind, err)
		}
		// The library found no account to sign as, or no key to sign
		// with; it says so in the error's text only.
		return "", backend.NewError(op, key, backend.ErrNotSupported, err)
	}
	return u, nil
}
