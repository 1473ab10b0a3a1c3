package main

import (
	"github.com/spf13/cobra"
)

// maxCompletions bounds the keys offered by shell completion: one List
// page, so that completing in a big store stays fast.
const maxCompletions = 200

// completeKeys completes the first argument with the keys of the store
// that start with what was typed; later arguments are local files when
// files is set.
func (a *app) completeKeys(files bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			if files {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := a.client(cmd.Context(), "complete", existingStore)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		defer c.Close()
		var keys []cobra.Completion
		for o, err := range c.Objects(cmd.Context(), toComplete) {
			if err != nil || len(keys) == maxCompletions {
				break
			}
			keys = append(keys, o.Key)
		}
		return keys, cobra.ShellCompDirectiveNoFileComp
	}
}
