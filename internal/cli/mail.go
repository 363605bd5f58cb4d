package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func mailCmd(s *settings) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mail",
		Short: "Read the dev mailbox: e-mail kept in the database while no SMTP server is configured",
	}
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List the dev mailbox, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := s.open(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer w.db.Close()
			return w.db.View(cmd.Context(), func(tx tenantry.Tx) error {
				box, err := tx.Mailbox(cmd.Context(), limit)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tDELIVERED\tTO\tSUBJECT")
				for _, m := range box {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.SentAt.Format("2006-01-02 15:04:05"), m.To, m.Subject)
				}
				if len(box) == 0 {
					fmt.Fprintln(tw, "(empty)")
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().IntVar(&limit, "limit", 50, "how many messages")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Print one message of the dev mailbox (an unambiguous start of its id will do)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := s.open(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer w.db.Close()
			return w.db.View(cmd.Context(), func(tx tenantry.Tx) error {
				m, err := tx.MailboxMessage(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "To: %s\nSubject: %s\nDelivered: %s\n\n%s", m.To, m.Subject,
					m.SentAt.Format("2006-01-02 15:04:05 MST"), m.Text)
				return nil
			})
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}
