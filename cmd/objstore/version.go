package main

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/objstore-dev/objstore/backend"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is shown.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go version and the URL schemes built in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			schemes := backend.Schemes()
			if a.asJSON {
				return a.emit(map[string]any{"version": buildVersion(), "go": runtime.Version(),
					"platform": runtime.GOOS + "/" + runtime.GOARCH, "schemes": schemes})
			}
			fprintf(a.out, "objstore %s (%s, %s/%s)\nschemes: %s\n", buildVersion(), runtime.Version(),
				runtime.GOOS, runtime.GOARCH, strings.Join(schemes, ", "))
			return nil
		},
	}
}
