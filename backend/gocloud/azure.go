package gocloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob/azureblob"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

// AzureScheme is the URL scheme of Azure Blob Storage: azblob://CONTAINER.
const AzureScheme = "azblob"

func init() {
	backend.Register(AzureScheme, storeurl.Opener(AzureConfigFromURL, NewAzure))
}

// azureURL is the shape of azblob:// URLs.
var azureURL = storeurl.Form{
	Scheme:      AzureScheme,
	Driver:      "azblob",
	Name:        "container",
	Credentials: "use AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN",
}

// AzureConfig configures NewAzure. Credentials are chosen as gocloud's
// azureblob does: AccountName with AccountKey (a shared key); else a
// SASToken; else a ConnectionString; else Azure's default credential
// chain (azidentity.NewDefaultAzureCredential: environment, workload or
// managed identity, Azure CLI).
type AzureConfig struct {
	// Container is the container name (required).
	Container string

	// Client is a caller's container client; when set, the service and
	// credential fields are ignored, and the caller keeps owning it.
	Client *container.Client

	// ServiceURL is the blob service, e.g.
	// "https://ACCOUNT.blob.core.windows.net" or Azurite's
	// "http://127.0.0.1:10000/devstoreaccount1". Not needed with a
	// ConnectionString.
	ServiceURL string
	// AccountName and AccountKey make a shared-key credential.
	AccountName string
	AccountKey  string
	// SASToken is appended to the service URL, for access without a key.
	SASToken string
	// ConnectionString is an Azure storage connection string
	// ("DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...;...").
	ConnectionString string

	// CreateContainer creates the container if it does not exist.
	CreateContainer bool

	// RawKeys stores keys unchanged, as gocloud's azureblob does, instead
	// of with AzureKeys: choose it for a container shared with other
	// gocloud programs; List then follows Azure's order (see AzureKeys).
	RawKeys bool

	// Options are applied after the ones NewAzure sets (name, ownership,
	// key codec).
	Options []Option

	// Retry tunes the retries, backoff and timeouts of NewAzure (the
	// failover layer, package backend/failover, with the container as its
	// one endpoint); NewAzureDriver ignores it. Zero fields take the
	// failover defaults. StallTimeout must exceed the time to send one
	// block of an upload (WithUploadBuffer; 8 MiB by default).
	Retry failover.Retry
}

// NewAzure opens an Azure Blob Storage container through gocloud's
// azureblob driver and returns it wrapped in backend/failover, with the
// container as its one endpoint: transient failures (429, 5xx, refused or
// reset connections) are retried with jittered backoff, each attempt is
// bounded (Retry.AttemptTimeout, Retry.StallTimeout), a broken download is
// resumed against the same ETag, and a put is sent again from byte 0 when
// its reader can seek (a reader that cannot is retried only before its
// first byte left). The Azure SDK's own retries are off in the client
// NewAzure makes, so attempts do not multiply; a caller's Client keeps its
// own retry options (give it policy.RetryOptions{MaxRetries: -1}).
//
// The Backend owns the bucket and the HTTP client it creates: Close
// closes both (a caller's Client is left alone). The configuration is
// checked first. With cfg.CreateContainer the container is created now,
// by NewAzureDriver, in one attempt: a failure fails NewAzure, so that a
// store opened to be created exists once NewAzure returns.
func NewAzure(ctx context.Context, cfg AzureConfig) (backend.Backend, error) {
	if err := cfg.Retry.Validate(); err != nil {
		return nil, err
	}
	d, err := NewAzureDriver(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var fc failover.Config
	cfg.Retry.ApplyTo(&fc)
	return failover.Single(ctx, d, d.String(), "gocloud.Backend", fc)
}

// NewAzureDriver opens an Azure Blob Storage container through gocloud's
// azureblob driver and returns the raw driver: one attempt per request
// (the Azure SDK's retries are off in the client it makes; a caller's
// Client keeps its own), no timeouts but the caller's context. NewAzure
// wraps it in the retry layer. With cfg.CreateContainer the container is
// created now. cfg.Retry is ignored. The Backend owns the bucket and the
// HTTP client it creates: Close closes both (a caller's Client is left
// alone).
func NewAzureDriver(ctx context.Context, cfg AzureConfig) (*Backend, error) {
	b, client, err := openAzure(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.CreateContainer {
		if err := createContainer(ctx, client, cfg.Container); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// openAzure makes the driver of cfg and returns it with its container
// client, without a request.
func openAzure(ctx context.Context, cfg AzureConfig) (*Backend, *container.Client, error) {
	if cfg.Container == "" {
		return nil, nil, backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("azblob: container name is empty"))
	}
	client, closeHTTP := cfg.Client, func() error { return nil }
	if client == nil {
		// A transport of our own, so that Close can release its idle
		// connections (the SDK's default client is process-wide).
		transport := http.DefaultTransport.(*http.Transport).Clone()
		hc := &http.Client{Transport: transport}
		closeHTTP = func() error { transport.CloseIdleConnections(); return nil }
		var err error
		client, err = newContainerClient(cfg, &container.ClientOptions{ClientOptions: azcore.ClientOptions{
			Transport: hc,
			// One try per request: retrying is the failover layer's job.
			Retry: policy.RetryOptions{MaxRetries: -1},
		}})
		if err != nil {
			return nil, nil, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("azblob: container %q: %w", cfg.Container, err))
		}
	}
	bucket, err := azureblob.OpenBucket(ctx, client, nil)
	if err != nil {
		closeHTTP()
		return nil, nil, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("azblob: container %q: %w", cfg.Container, err))
	}
	codec := AzureKeys
	if cfg.RawKeys {
		codec = RawKeys
	}
	opts := append([]Option{
		WithName(AzureScheme + "://" + cfg.Container),
		OwnBucket(),
		WithKeyCodec(codec),
		onClose(closeHTTP),
	}, cfg.Options...)
	return New(bucket, opts...), client, nil
}

// createContainer creates the container; one that exists already is fine.
func createContainer(ctx context.Context, client *container.Client, name string) error {
	_, err := client.Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return backend.NewError("open", "", classify(err), fmt.Errorf("azblob: create container %q: %w", name, err))
	}
	return nil
}

// newContainerClient makes the container client for cfg, choosing the
// credential as gocloud's azureblob does.
func newContainerClient(cfg AzureConfig, opts *container.ClientOptions) (*container.Client, error) {
	if cfg.ServiceURL == "" && cfg.ConnectionString == "" {
		return nil, errors.New("no service URL and no connection string")
	}
	containerURL := func() (string, error) {
		svc := cfg.ServiceURL
		if cfg.SASToken != "" && (cfg.AccountName == "" || cfg.AccountKey == "") {
			svc = strings.TrimSuffix(svc, "?") + "?" + strings.TrimPrefix(cfg.SASToken, "?")
		}
		return url.JoinPath(svc, cfg.Container)
	}
	switch {
	case cfg.AccountName != "" && cfg.AccountKey != "" && cfg.ServiceURL != "":
		cred, err := container.NewSharedKeyCredential(cfg.AccountName, cfg.AccountKey)
		if err != nil {
			return nil, fmt.Errorf("shared key of account %q: %w", cfg.AccountName, err)
		}
		u, err := containerURL()
		if err != nil {
			return nil, err
		}
		return container.NewClientWithSharedKeyCredential(u, cred, opts)
	case cfg.SASToken != "" && cfg.ServiceURL != "":
		u, err := containerURL()
		if err != nil {
			return nil, err
		}
		return container.NewClientWithNoCredential(u, opts)
	case cfg.ConnectionString != "":
		return container.NewClientFromConnectionString(cfg.ConnectionString, cfg.Container, opts)
	default:
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("default Azure credential: %w", err)
		}
		u, err := containerURL()
		if err != nil {
			return nil, err
		}
		return container.NewClient(u, cred, opts)
	}
}

// AzureConfigFromURL makes the AzureConfig of an azblob:// URL from the
// environment variables of gocloud's azureblob, read at each call:
//
//   - AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY: a shared key;
//   - AZURE_STORAGE_SAS_TOKEN: a SAS token;
//   - AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGEBLOB_CONNECTIONSTRING);
//   - otherwise Azure's default credential chain;
//   - AZURE_STORAGE_DOMAIN (default blob.core.windows.net),
//     AZURE_STORAGE_PROTOCOL (default https), AZURE_STORAGE_IS_CDN and
//     AZURE_STORAGE_IS_LOCAL_EMULATOR shape the service URL as
//     azureblob.NewServiceURL does ("http://127.0.0.1:10000/ACCOUNT" for
//     a domain on localhost or 127.0.0.1, or with the emulator flag).
//
// The URL's query may override them as gocloud's opener allows (domain,
// protocol, cdn, localemu, storage_account), and adds create_container,
// key_encoding (azure, the default, or raw) and the retry settings of
// every network driver: max_attempts, max_elapsed, attempt_timeout and
// stall_timeout (AzureConfig.Retry). With a SAS token from the
// environment, the query may not point the token at another endpoint.
// Credentials never come from the URL.
func AzureConfigFromURL(u *url.URL) (AzureConfig, error) {
	fail := func(err error) (AzureConfig, error) { return AzureConfig{}, azureURL.Fail(u, err) }
	cfg := AzureConfig{
		AccountName:      os.Getenv("AZURE_STORAGE_ACCOUNT"),
		AccountKey:       os.Getenv("AZURE_STORAGE_KEY"),
		SASToken:         os.Getenv("AZURE_STORAGE_SAS_TOKEN"),
		ConnectionString: os.Getenv("AZURE_STORAGE_CONNECTION_STRING"),
	}
	if cfg.ConnectionString == "" {
		cfg.ConnectionString = os.Getenv("AZURE_STORAGEBLOB_CONNECTIONSTRING")
	}
	// gocloud's precedence: a shared key, else a SAS token, else a
	// connection string; the others are not used.
	switch {
	case cfg.AccountName != "" && cfg.AccountKey != "":
		cfg.SASToken, cfg.ConnectionString = "", ""
	case cfg.SASToken != "":
		cfg.AccountKey, cfg.ConnectionString = "", ""
	default:
		cfg.AccountKey, cfg.SASToken = "", ""
	}
	envSvc := azureblob.NewDefaultServiceURLOptions()
	svc := *envSvc
	svc.SASToken = "" // appended by newContainerClient
	params := map[string]storeurl.Param{
		"domain":           storeurl.String(&svc.StorageDomain),
		"protocol":         storeurl.String(&svc.Protocol),
		"cdn":              storeurl.Bool(&svc.IsCDN),
		"localemu":         storeurl.Bool(&svc.IsLocalEmulator),
		"storage_account":  storeurl.String(&svc.AccountName),
		"create_container": storeurl.Bool(&cfg.CreateContainer),
		"key_encoding": func(v string) error {
			switch v {
			case "azure":
				cfg.RawKeys = false
			case "raw":
				cfg.RawKeys = true
			default:
				return errors.New(`must be "azure" or "raw"`)
			}
			return nil
		},
	}
	// max_attempts, max_elapsed, attempt_timeout, stall_timeout, as on
	// every network driver.
	for name, set := range cfg.Retry.URLParams() {
		params[name] = set
	}
	var err error
	cfg.Container, err = azureURL.Parse(u, params)
	if err != nil {
		return AzureConfig{}, err
	}
	if cfg.AccountKey != "" && svc.AccountName != cfg.AccountName {
		// The shared key belongs to AZURE_STORAGE_ACCOUNT.
		return fail(fmt.Errorf("storage_account %q is not AZURE_STORAGE_ACCOUNT, whose key is set", svc.AccountName))
	}
	if cfg.ConnectionString != "" {
		return cfg, nil // the connection string names the endpoint
	}
	if svc.AccountName == "" {
		return fail(errors.New("no storage account: set AZURE_STORAGE_ACCOUNT or ?storage_account="))
	}
	svcURL, err := azureblob.NewServiceURL(&svc)
	if err != nil {
		return fail(err)
	}
	cfg.ServiceURL = string(svcURL)
	if cfg.SASToken != "" {
		// The token is a secret of the endpoint the environment names:
		// the URL must not send it elsewhere.
		envSvc.SASToken = ""
		envURL, err := azureblob.NewServiceURL(envSvc)
		if err != nil {
			return fail(err)
		}
		if !sameOrigin(string(envURL), cfg.ServiceURL) {
			return fail(errors.New("the URL cannot change the service endpoint when AZURE_STORAGE_SAS_TOKEN is set"))
		}
	}
	return cfg, nil
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// String describes the configuration as an azblob:// URL, without the
// account key, SAS token or connection string (fmt's %v and %+v print
// this).
func (c AzureConfig) String() string {
	var q []string
	if c.AccountName != "" {
		q = append(q, "account="+c.AccountName)
	}
	if c.ServiceURL != "" {
		q = append(q, "service_url="+backend.Redact(c.ServiceURL))
	}
	s := "azblob://" + c.Container
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}

// GoString keeps %#v from printing the secrets.
func (c AzureConfig) GoString() string { return "gocloud.AzureConfig(" + c.String() + ")" }
