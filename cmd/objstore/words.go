package main

import "strconv"

// plural is "1 chunk", "2 chunks", "0 chunks": n and noun, with an s
// unless n is 1.
func plural[N int | int64](n N, noun string) string {
	s := strconv.FormatInt(int64(n), 10) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}
