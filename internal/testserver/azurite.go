package testserver

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// AzuriteAccount and AzuriteKey are Azurite's well-known development
// account name and key (public, documented by Microsoft).
const (
	AzuriteAccount = "devstoreaccount1"
	AzuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite is an Azurite blob service (in memory) started for one test. The
// embedded Process gives Stop, Cont, Kill, Restart and Log; data does not
// survive Restart.
type Azurite struct {
	*Process
	Endpoint string // blob service URL, "http://127.0.0.1:PORT/devstoreaccount1"
	Account  string // AzuriteAccount
	Key      string // AzuriteKey (base64 shared key)
}

// ConnectionString returns an Azure storage connection string for the
// server, as accepted by azblob.NewClientFromConnectionString.
func (a *Azurite) ConnectionString() string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;", a.Account, a.Key, a.Endpoint)
}

// StartAzurite starts azurite-blob on a free loopback port and waits (up to
// 60s) until it answers HTTP. t.Cleanup kills it.
func StartAzurite(t testing.TB) *Azurite {
	t.Helper()
	bin := toolPath(t, "node/node_modules/.bin/azurite-blob")
	dir := t.TempDir()
	p, port := startOnFreePort(t, "azurite", dir, nil, 60*time.Second,
		func(port int) []string {
			return []string{bin,
				"--blobHost", "127.0.0.1",
				"--blobPort", fmt.Sprint(port),
				"--inMemoryPersistence", // refuses --location
				"--loose",
				"--skipApiVersionCheck",
				"--disableTelemetry", // otherwise it reports usage over the network
				"--disableProductStyleUrl"}
		},
		func(ctx context.Context, port int) error {
			// Any HTTP answer (an unsigned request gets 403) means it serves.
			return httpReady(probeClient, fmt.Sprintf("http://127.0.0.1:%d/%s?comp=list", port, AzuriteAccount), 0)(ctx)
		})
	return &Azurite{
		Process:  p,
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", port, AzuriteAccount),
		Account:  AzuriteAccount,
		Key:      AzuriteKey,
	}
}
