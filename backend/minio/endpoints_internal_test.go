package minio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandEndpoints(t *testing.T) {
	got, err := expandEndpoints([]string{"node{1...3}:9000", "10.0.0.{7...8}:9000", "node2:9000"})
	require.NoError(t, err)
	assert.Equal(t, []string{"node1:9000", "node2:9000", "node3:9000", "10.0.0.7:9000", "10.0.0.8:9000"}, got,
		"expanded in order, duplicates dropped")

	got, err = expandEndpoints([]string{"http://h{08...10}:{1...2}"})
	require.NoError(t, err)
	assert.Equal(t, []string{"http://h08:1", "http://h08:2", "http://h09:1", "http://h09:2", "http://h10:1", "http://h10:2"}, got,
		"zero padding kept, several ellipses combined left to right")

	for _, bad := range []string{"h{1..3}:9000", "h{3...1}:9000", "h{a...b}", "h{1...3:9000", "h}1:9000", "", "h{0...5000}"} {
		_, err := expandEndpoints([]string{bad})
		assert.Error(t, err, "endpoint %q", bad)
	}
}
