package main

import (
	"github.com/spf13/cobra"
)

func (a *app) lsCommand() *cobra.Command {
	var long bool
	cmd := &cobra.Command{
		Use:   "ls [PREFIX]",
		Short: "List the objects whose keys start with PREFIX",
		Long: `ls lists the keys that start with PREFIX (all keys without it), in
lexical order, one per line, as the store pages them: memory stays flat
for any number of keys. A stream object shows as its chunks and, while
its writer is open, its .inprogress marker.

--long adds size in bytes, last-modified time (RFC 3339, UTC) and ETag.
--json prints one object per line: {"key","size","last_modified","etag"}.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "ls", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			for o, err := range c.Objects(ctx, prefix) {
				if err != nil {
					return err
				}
				switch {
				case a.asJSON:
					if err := a.emit(infoJSON(o)); err != nil {
						return err
					}
				case long:
					etag := o.ETag
					if etag == "" {
						etag = "-"
					}
					fprintf(a.out, "%12d  %-20s  %-34s  %s\n", o.Size, timeText(o.LastModified), etag, o.Key)
				default:
					fprintf(a.out, "%s\n", o.Key)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show size, last-modified time and ETag")
	return cmd
}
