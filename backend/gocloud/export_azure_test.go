package gocloud

// HexUnescape exports hexUnescape to the tests.
var HexUnescape = hexUnescape
