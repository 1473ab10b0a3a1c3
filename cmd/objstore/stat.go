package main

import (
	"github.com/spf13/cobra"
)

func (a *app) statCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "stat KEY",
		Short: "Describe the object or stream object KEY",
		Long: `stat prints the size, last-modified time, ETag, content type and user
metadata of the object KEY. For a stream object it prints the total size
of its chunks so far, the number of chunks and whether its writer is
still open (in progress).`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeKeys(false),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key := args[0]
			ctx := cmd.Context()
			c, err := a.client(ctx, "stat", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			st, err := c.StatObject(ctx, key)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.emit(statsJSON(key, st))
			}
			fprintf(a.out, "key:           %s\n", key)
			fprintf(a.out, "size:          %d\n", st.Size)
			fprintf(a.out, "last-modified: %s\n", timeText(st.LastModified))
			if st.IsStream {
				state := "closed"
				if st.InProgress {
					state = "in progress"
				}
				fprintf(a.out, "stream:        %s, %s\n", state, plural(st.Chunks, "chunk"))
			} else {
				fprintf(a.out, "etag:          %s\n", st.ETag)
			}
			if st.ContentType != "" {
				fprintf(a.out, "content-type:  %s\n", st.ContentType)
			}
			for _, k := range sortedKeys(st.Metadata) {
				fprintf(a.out, "meta:          %s=%s\n", k, st.Metadata[k])
			}
			return nil
		},
	}
}
