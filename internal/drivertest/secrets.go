package drivertest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// NoSecretInErrorTree fails t if any layer of err (err and every error it
// wraps, through Unwrap() error and Unwrap() []error), formatted with %v,
// %+v or %#v, holds one of secrets: errors.As must not reach a value
// (such as a *url.Error) that quotes a URL's credentials. what names the
// case in the failure.
func NoSecretInErrorTree(t *testing.T, err error, what string, secrets ...string) {
	t.Helper()
	for i, layer := range errorTree(err) {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			text := fmt.Sprintf(verb, layer)
			for _, s := range secrets {
				assert.NotContains(t, text, s, "%s: layer %d (%T) formatted with %s", what, i, layer, verb)
			}
		}
	}
}

func errorTree(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, errorTree(e)...)
		}
	case interface{ Unwrap() error }:
		out = append(out, errorTree(u.Unwrap())...)
	}
	return out
}
