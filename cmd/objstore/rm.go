package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

func (a *app) rmCommand() *cobra.Command {
	var prefix, force bool
	cmd := &cobra.Command{
		Use:   "rm KEY... | rm --prefix PREFIX",
		Short: "Remove objects, stream objects, or everything under a prefix",
		Long: `rm KEY removes the object KEY; if KEY is a stream object it removes its
chunks and its marker. A KEY that does not exist is an error (exit 1).

rm --prefix PREFIX removes every object whose key starts with PREFIX
(everything with an empty PREFIX). It first counts them and asks for
confirmation when stdin is a terminal; when stdin is not a terminal it
refuses (exit 2) unless --force is given.`,
		Example: `  objstore rm captures/a.pcap
  objstore rm --prefix captures/2024-
  objstore rm --prefix tmp/ --force`,
		Args: func(cmd *cobra.Command, args []string) error {
			if prefix {
				return cobra.ExactArgs(1)(cmd, args)
			}
			return cobra.MinimumNArgs(1)(cmd, args)
		},
		ValidArgsFunction: a.completeKeys(false),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			c, err := a.client(ctx, "rm", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			if prefix {
				return a.rmPrefix(ctx, c, args[0], force)
			}
			for _, key := range args {
				if err := a.rmKey(ctx, c, key); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&prefix, "prefix", false, "remove every object whose key starts with the argument")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "with --prefix: do not ask for confirmation")
	return cmd
}

// rmKey removes one object or one stream object.
func (a *app) rmKey(ctx context.Context, c *objstore.Client, key string) error {
	st, err := c.StatObject(ctx, key)
	if err != nil {
		if errors.Is(err, objstore.ErrNotFound) {
			return backend.NewError("remove", key, objstore.ErrNotFound, errors.New("no object or stream object of that name"))
		}
		return err
	}
	removed := 1
	if st.IsStream {
		if removed, err = c.RemoveStream(ctx, key); err != nil {
			return err
		}
	} else if err := c.RemoveObject(ctx, key); err != nil {
		return err
	}
	if a.asJSON {
		return a.emit(map[string]any{"key": key, "stream": st.IsStream, "removed": removed})
	}
	if st.IsStream {
		a.status(a.out, "removed stream %s (%s)\n", key, plural(removed, "object"))
	} else {
		a.status(a.out, "removed %s\n", key)
	}
	return nil
}

// rmPrefix removes everything under prefix after a confirmation.
func (a *app) rmPrefix(ctx context.Context, c *objstore.Client, prefix string, force bool) error {
	if err := backend.ValidatePrefix("remove", prefix); err != nil {
		return err
	}
	count := 0
	for _, err := range c.Objects(ctx, prefix) {
		if err != nil {
			return err
		}
		count++
	}
	what := "prefix " + strconv.Quote(prefix)
	if prefix == "" {
		what = "the whole store"
	}
	if count == 0 {
		if a.asJSON {
			return a.emit(map[string]any{"prefix": prefix, "removed": 0})
		}
		a.status(a.out, "nothing to remove under %s\n", what)
		return nil
	}
	if !force {
		if !isTerminal(a.in) {
			return usagef("remove %s: refusing to remove %s of %s without --force: stdin is not a terminal, so nobody can confirm",
				what, plural(count, "object"), a.redacted())
		}
		fprintf(a.errw, "Remove %s under %s of %s? [y/N] ", plural(count, "object"), what, a.redacted())
		answer, err := bufio.NewReader(a.in).ReadString('\n')
		if err != nil && answer == "" {
			return fmt.Errorf("remove %s: no answer: nothing removed", what)
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "yes":
		default:
			return fmt.Errorf("remove %s: not confirmed: nothing removed", what)
		}
	}
	if err := c.RemoveObjects(ctx, prefix); err != nil {
		return err
	}
	if a.asJSON {
		return a.emit(map[string]any{"prefix": prefix, "removed": count})
	}
	a.status(a.out, "removed %s under %s\n", plural(count, "object"), what)
	return nil
}
