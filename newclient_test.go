package objstore_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// NewClient end to end on a real MinIO server: the bucket tenant.service
// is created, the first URL the resolver names refuses connections and
// the requests fail over to the second, and every kind of call works.
func TestNewClientMinIO(t *testing.T) {
	m := testserver.StartMinIO(t)
	ctx := t.Context()
	r := objstore.StaticResolver{"http://127.0.0.1:1", m.URL()}
	c, err := objstore.NewClient("default", "pktcap", r, objstore.WithCredentials(m.AccessKey, m.SecretKey))
	require.NoError(t, err)
	defer c.Close()

	n, err := c.PutObject(ctx, "pktcap1", strings.NewReader("packets"), map[string]string{"key": "value"})
	require.NoError(t, err)
	assert.EqualValues(t, 7, n)
	st, err := c.StatObject(ctx, "pktcap1")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"key": "value"}, st.Metadata)

	w, err := c.PutStreamObject(ctx, "caps/eth0", map[string]string{"iface": "eth0"})
	require.NoError(t, err)
	follower, err := c.OpenStream(ctx, "caps/eth0", 0)
	require.NoError(t, err)
	got := make(chan string, 1)
	go func() {
		data, err := io.ReadAll(follower)
		if err != nil {
			data = []byte(err.Error())
		}
		got <- string(data)
	}()
	for _, block := range []string{"one ", "two ", "three"} {
		_, err := w.Write([]byte(block))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, "one two three", <-got)
	require.NoError(t, follower.Close())
	st, err = c.StatObject(ctx, "caps/eth0")
	require.NoError(t, err)
	assert.True(t, st.IsStream)
	assert.Equal(t, 3, st.Chunks)
	assert.Equal(t, map[string]string{"iface": "eth0"}, st.Metadata)

	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"caps/eth0/eth0.0", "caps/eth0/eth0.1", "caps/eth0/eth0.2", "pktcap1"}, keys)
	require.NoError(t, c.RemoveObjects(ctx, ""))
	keys, err = c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, keys)

	// A second client finds the bucket that the first one created.
	c2, err := objstore.NewClient("default", "pktcap", objstore.StaticResolver{m.Endpoint},
		objstore.WithCredentials(m.AccessKey, m.SecretKey))
	require.NoError(t, err)
	require.NoError(t, c2.Close())
}
