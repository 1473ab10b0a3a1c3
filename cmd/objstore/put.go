package main

import (
	"github.com/spf13/cobra"

	"github.com/objstore-dev/objstore/backend"
)

func (a *app) putCommand() *cobra.Command {
	var contentType string
	var meta []string
	cmd := &cobra.Command{
		Use:   "put KEY [FILE|-]",
		Short: "Store a file, or stdin, as the object KEY",
		Long: `put stores FILE as the object KEY, replacing any object there. Without
FILE, or with -, it stores stdin. The put is atomic: readers see the old
object or the whole new one. The content type is --content-type, else
guessed from FILE's extension, else application/octet-stream.`,
		Example: `  objstore put captures/a.pcap ./a.pcap --meta host=h1
  tcpdump -w - | objstore put captures/live.pcap`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, src := args[0], "-"
			if len(args) == 2 {
				src = args[1]
			}
			if err := backend.ValidateKey("put", key); err != nil {
				return err
			}
			md, err := parseMeta(meta)
			if err != nil {
				return err
			}
			if contentType == "" {
				contentType = guessContentType(src)
			}
			ctx := cmd.Context()
			c, err := a.client(ctx)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			r, size, done, err := a.openLocal(src)
			if err != nil {
				return err
			}
			defer done()
			r, finish := a.track(r, size, "put "+key)
			info, err := c.PutObjectWith(ctx, key, r, backend.PutOptions{Size: size, ContentType: contentType, Metadata: md})
			finish(err == nil)
			if err != nil {
				return err
			}
			if a.asJSON {
				if info.Key == "" {
					info.Key = key
				}
				return a.emit(infoJSON(info))
			}
			a.status(a.out, "put %s (%d bytes)\n", key, info.Size)
			return nil
		},
	}
	cmd.Flags().StringVar(&contentType, "content-type", "", "MIME type of the object (default: from FILE's extension)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "user metadata KEY=VALUE (repeatable; keys are lower-cased)")
	return cmd
}
