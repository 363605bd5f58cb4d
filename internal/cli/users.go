package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantry/tenantry/internal/app"
)

func usersCmd(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage people through a server's API"}
	var rf remoteFlags
	var org string
	var noMail bool
	var batch int
	importCmd := &cobra.Command{
		Use:   "import FILE.csv --org ORG",
		Short: "Create the people of a CSV file with their roles, in batches, each all or nothing",
		Long: "The file's first line names its columns: email, first_name, last_name and roles are required; login,\n" +
			"language, phone, job_title and roles_until may follow. Roles are separated by spaces or |; roles_until\n" +
			"is a time such as 2027-03-31T18:00:00+02:00 or a day (its end, UTC). Commas or semicolons separate the\n" +
			"columns. The file's form is checked whole first; then each batch is one transaction, checked line by\n" +
			"line: a batch that fails writes nothing, and the batches before it stay.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			rows, err := app.ReadPeopleCSV(f, time.UTC)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if org == "" {
				return fmt.Errorf("--org: say which organization the people join")
			}
			r, err := rf.connect(cmd, s)
			if err != nil {
				return err
			}
			batch = min(max(batch, 1), app.MaxPeopleImport)
			created, invited := 0, 0
			start := time.Now()
			for i := 0; i < len(rows); i += batch {
				part := rows[i:min(i+batch, len(rows))]
				users := make([]map[string]any, 0, len(part))
				for _, p := range part {
					u := map[string]any{"email": p.Email, "first_name": p.FirstName, "last_name": p.LastName,
						"roles": p.Roles, "line": p.Line}
					for k, v := range map[string]string{"login": p.Login, "language": p.Language, "phone": p.Phone, "job_title": p.JobTitle} {
						if v != "" {
							u[k] = v
						}
					}
					if !p.RolesUntil.IsZero() {
						u["roles_until"] = p.RolesUntil
					}
					users = append(users, u)
				}
				body, _ := json.Marshal(map[string]any{"users": users, "send_activation": !noMail})
				var out struct {
					Created int `json:"created"`
					Invited int `json:"invited"`
				}
				if err := r.call("POST", "/api/v1/orgs/"+org+"/users/import", "application/json", bytes.NewReader(body), &out); err != nil {
					return fmt.Errorf("lines %d to %d, nothing of them written (%d people before them were): %w",
						part[0].Line, part[len(part)-1].Line, created+invited, err)
				}
				created, invited = created+out.Created, invited+out.Invited
				fmt.Fprintf(cmd.ErrOrStderr(), "\r%d of %d", created+invited, len(rows))
			}
			fmt.Fprintln(cmd.ErrOrStderr())
			took := time.Since(start)
			fmt.Fprintf(cmd.OutOrStdout(), "created %d people, invited %d whose login is elsewhere, in %s (%.0f a second)\n",
				created, invited, took.Round(time.Millisecond), float64(created+invited)/took.Seconds())
			return nil
		},
	}
	importCmd.Flags().StringVar(&org, "org", "", "the organization's id")
	importCmd.Flags().BoolVar(&noMail, "no-mail", false, "send no activation e-mails")
	importCmd.Flags().IntVar(&batch, "batch", 5000, "people per request, each request all or nothing")
	rf.add(importCmd)
	cmd.AddCommand(importCmd)
	return cmd
}
