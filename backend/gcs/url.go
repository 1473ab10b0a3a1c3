package gcs

import (
	"net/url"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

// Scheme is the URL scheme of this driver: gs://BUCKET.
const Scheme = "gs"

func init() {
	backend.Register(Scheme, storeurl.Opener(ConfigFromURL, New))
}

// urlForm is the shape of gs:// URLs.
var urlForm = storeurl.Form{
	Scheme:      Scheme,
	Driver:      "gcs",
	Name:        "bucket",
	Credentials: "use GOOGLE_APPLICATION_CREDENTIALS",
}

// ConfigFromURL parses a gs:// URL (see the package documentation) into a
// Config. Unknown query parameters are an error.
func ConfigFromURL(u *url.URL) (Config, error) {
	var cfg Config
	params := map[string]storeurl.Param{
		"create_bucket": storeurl.Bool(&cfg.CreateBucket),
		"project":       storeurl.String(&cfg.ProjectID),
		"chunk_size":    storeurl.PositiveInt(&cfg.ChunkSize),
		"endpoint":      storeurl.String(&cfg.Endpoint),
		"anonymous":     storeurl.Bool(&cfg.Anonymous),
	}
	// max_attempts, max_elapsed, attempt_timeout, stall_timeout, as on
	// every network driver.
	for name, set := range cfg.Retry.URLParams() {
		params[name] = set
	}
	bucket, err := urlForm.Parse(u, params)
	if err != nil {
		return Config{}, err
	}
	cfg.Bucket = bucket
	return cfg, nil
}
