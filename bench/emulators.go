package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The emulators of the gcs and azblob workloads, started as
// internal/testserver starts them for the library's tests.

// Azurite's well-known development account (public, documented by
// Microsoft): the only account it accepts.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

const (
	fakeGCSTool = "bin/fake-gcs-server"
	azuriteTool = "node/node_modules/.bin/azurite-blob"
)

// startFakeGCS starts fake-gcs-server (memory backend, plain HTTP, no
// authentication) and waits until GET /storage/v1/b answers 200.
func startFakeGCS(tmpRoot string) (*server, error) {
	bin, err := toolPath(fakeGCSTool)
	if err != nil {
		return nil, err
	}
	return startServer(tmpRoot, launch{
		name: "fake-gcs-server",
		bin:  bin,
		args: func(port int, _ string) []string {
			hostPort := fmt.Sprintf("127.0.0.1:%d", port)
			return []string{
				"-backend", "memory",
				"-scheme", "http",
				"-host", "127.0.0.1",
				"-port", fmt.Sprint(port),
				// Defaults are storage.googleapis.com and the bind address:
				// our own address in links and upload locations.
				"-public-host", hostPort,
				"-external-url", "http://" + hostPort,
				"-log-level", "warn",
			}
		},
		ready: func(probe *http.Client, s *server) error {
			return probeStatus(probe, s.URL()+"/storage/v1/b", http.StatusOK)
		},
	}, nil)
}

// startAzurite starts Azurite's blob service in memory and waits until it
// answers HTTP (an unsigned request gets 403: it serves).
func startAzurite(tmpRoot string) (*server, error) {
	bin, err := toolPath(azuriteTool)
	if err != nil {
		return nil, err
	}
	return startServer(tmpRoot, launch{
		name: "azurite",
		bin:  bin,
		args: func(port int, dir string) []string {
			return []string{
				"--blobHost", "127.0.0.1",
				"--blobPort", fmt.Sprint(port),
				"--inMemoryPersistence",
				"--loose",
				"--skipApiVersionCheck",
				"--disableTelemetry", // otherwise it reports usage over the network
				"--disableProductStyleUrl",
			}
		},
		ready: func(probe *http.Client, s *server) error {
			return probeStatus(probe, s.URL()+"/"+azuriteAccount+"?comp=list", 0)
		},
	}, func(s *server) { s.AccessKey, s.SecretKey = azuriteAccount, azuriteKey })
}

// fakeGCSVersion is the module version fake-gcs-server was built from.
func fakeGCSVersion() string {
	bin, err := toolPath(fakeGCSTool)
	if err != nil {
		return "unknown"
	}
	if out, err := exec.Command("go", "version", "-m", bin).Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/fsouza/fake-gcs-server" {
				return "fake-gcs-server " + f[2]
			}
		}
	}
	return "fake-gcs-server (version unknown)"
}

// azuriteVersion is the version of the installed azurite npm package.
func azuriteVersion() string {
	bin, err := toolPath(azuriteTool)
	if err != nil {
		return "unknown"
	}
	// node_modules/.bin/azurite-blob -> node_modules/azurite/package.json
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(bin)), "azurite", "package.json"))
	var pkg struct{ Version string }
	if err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version == "" {
		return "Azurite (version unknown)"
	}
	v := "Azurite " + pkg.Version
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		v += " on Node " + strings.TrimSpace(string(out))
	}
	return v
}
