package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// review is an access review as the API answers it; items only on a
// single review's answer.
type review struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	Subtree       bool      `json:"subtree"`
	EndUnreviewed bool      `json:"end_unreviewed"`
	DueAt         time.Time `json:"due_at"`
	Status        string    `json:"status"`
	TimeZone      string    `json:"time_zone"`
	Roles         int       `json:"roles"`
	Confirmed     int       `json:"confirmed"`
	Revoked       int       `json:"revoked"`
	Items         []struct {
		ID        string `json:"id"`
		OrgName   string `json:"org_name"`
		Login     string `json:"login"`
		Role      string `json:"role"`
		Decision  string `json:"decision"`
		DecidedBy string `json:"decided_by"`
		Outcome   string `json:"outcome"`
		MayDecide bool   `json:"may_decide"`
		WhyNot    string `json:"why_not"`
	} `json:"items"`
}

// reviewsCmd runs access reviews (B1) through a server's API, as the
// portal's Reviews tab does: start one, read it, decide on each role,
// close it and export its evidence.
func reviewsCmd(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "reviews", Short: "Run access reviews through a server's API"}
	var rf remoteFlags
	remoteCmd := func(c *cobra.Command, run func(cmd *cobra.Command, r *remote, args []string) error) *cobra.Command {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			r, err := rf.connect(cmd, s)
			if err != nil {
				return err
			}
			return run(cmd, r, args)
		}
		rf.add(c)
		cmd.AddCommand(c)
		return c
	}

	var org string
	list := remoteCmd(&cobra.Command{Use: "list --org ORG", Short: "List an organization's access reviews, newest first", Args: cobra.NoArgs},
		func(cmd *cobra.Command, r *remote, _ []string) error {
			if org == "" {
				return fmt.Errorf("--org: say whose reviews")
			}
			var out struct{ Items []review }
			if err := r.call("GET", "/api/v1/orgs/"+org+"/access-reviews", "", nil, &out); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tDUE\tROLES\tCONFIRMED\tREVOKED\tTITLE")
			for _, v := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", v.ID, v.Status, v.DueAt.Format(time.RFC3339), v.Roles, v.Confirmed, v.Revoked, v.Title)
			}
			if len(out.Items) == 0 {
				fmt.Fprintln(tw, "(none)")
			}
			return tw.Flush()
		})
	list.Flags().StringVar(&org, "org", "", "the organization's id")

	var title, due string
	var subtree, endUnreviewed bool
	start := remoteCmd(&cobra.Command{Use: "start --org ORG --due TIME", Args: cobra.NoArgs,
		Short: "Start a review of every role held in an organization; its administrators are e-mailed",
		Long: "--due is a time such as 2027-03-31T18:00:00+02:00, or a day: its end in the organization's time zone, as\n" +
			"in the portal. It lies between an hour and a year from now. One review of an organization is open at a time."},
		func(cmd *cobra.Command, r *remote, _ []string) error {
			if org == "" {
				return fmt.Errorf("--org: say which organization's roles are reviewed")
			}
			at, err := dueTime(due, func() (*time.Location, error) {
				var sec struct {
					TimeZone string `json:"time_zone"`
				}
				err := r.call("GET", "/api/v1/orgs/"+org+"/security", "", nil, &sec)
				return zone(sec.TimeZone), err
			})
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]any{"title": title, "subtree": subtree, "due_at": at, "end_unreviewed": endUnreviewed})
			var v review
			if err := r.call("POST", "/api/v1/orgs/"+org+"/access-reviews", "application/json", bytes.NewReader(body), &v); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "started %s %q: %d roles to decide by %s\n", v.ID, v.Title, v.Roles,
				v.DueAt.In(zone(v.TimeZone)).Format(time.RFC3339))
			return nil
		})
	start.Flags().StringVar(&org, "org", "", "the organization's id")
	start.Flags().StringVar(&due, "due", "", "when every role must be decided")
	start.Flags().StringVar(&title, "title", "", "the review's title (default: the organization's name and today's date)")
	start.Flags().BoolVar(&subtree, "subtree", false, "review the organizations below too")
	start.Flags().BoolVar(&endUnreviewed, "end-unreviewed", false, "at the due date, end the roles nobody decided on")

	remoteCmd(&cobra.Command{Use: "show ID", Short: "Show a review with every role, its decision and whether you may decide it", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, r *remote, args []string) error {
			var v review
			if err := r.call("GET", "/api/v1/access-reviews/"+args[0], "", nil, &v); err != nil {
				return err
			}
			return printReview(cmd.OutOrStdout(), &v)
		})

	var note string
	decide := remoteCmd(&cobra.Command{Use: "decide ID ITEM confirm|revoke [--note TEXT]", Args: cobra.ExactArgs(3),
		Short: "Confirm or revoke one role of a review (revoke ends it at once)"},
		func(cmd *cobra.Command, r *remote, args []string) error {
			if args[2] != "confirm" && args[2] != "revoke" {
				return fmt.Errorf("the decision is confirm or revoke, not %q", args[2])
			}
			body, _ := json.Marshal(map[string]string{"decision": args[2], "note": note})
			var it struct{ Login, Role, Outcome string }
			if err := r.call("POST", "/api/v1/access-reviews/"+args[0]+"/items/"+args[1]+"/decision", "application/json", bytes.NewReader(body), &it); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s of %s (%s)\n", args[2], it.Role, it.Login, it.Outcome)
			return nil
		})
	decide.Flags().StringVar(&note, "note", "", "why, for the evidence")

	remoteCmd(&cobra.Command{Use: "close ID", Short: "Close a review now; what nobody decided is ended or kept as the review says", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, r *remote, args []string) error {
			var v review
			if err := r.call("POST", "/api/v1/access-reviews/"+args[0]+"/close", "", nil, &v); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "closed %s: %d roles, %d confirmed, %d revoked\n", v.ID, v.Roles, v.Confirmed, v.Revoked)
			return nil
		})

	remoteCmd(&cobra.Command{Use: "evidence ID > review.csv", Short: "Write a review's evidence as CSV, one line per role, for an auditor", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, r *remote, args []string) error {
			var csv []byte
			if err := r.call("GET", "/api/v1/access-reviews/"+args[0]+"/evidence.csv", "", nil, &csv); err != nil {
				return err
			}
			_, err := cmd.OutOrStdout().Write(csv)
			return err
		})
	return cmd
}

// printReview writes a review and its roles as a table.
func printReview(w io.Writer, v *review) error {
	fmt.Fprintf(w, "%s %q: %s, due %s; %d roles, %d confirmed, %d revoked\n", v.ID, v.Title, v.Status,
		v.DueAt.In(zone(v.TimeZone)).Format(time.RFC3339), v.Roles, v.Confirmed, v.Revoked)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tORGANIZATION\tLOGIN\tROLE\tDECISION\tBY\tOUTCOME\tYOU")
	for _, it := range v.Items {
		you := "may decide"
		if !it.MayDecide {
			you = strings.TrimSuffix("may not: "+it.WhyNot, ": ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.OrgName, it.Login, it.Role, dash(it.Decision), dash(it.DecidedBy), dash(it.Outcome), you)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// zone is the time zone the server names, or UTC.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// dueTime reads --due: an RFC 3339 time, or a day meaning its end in the
// organization's time zone, as the portal reads it; zone is asked for
// only then.
func dueTime(s string, zone func() (*time.Location, error)) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("--due: say by when every role is decided (e.g. 2027-03-31)")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--due: %q is neither a time such as 2027-03-31T18:00:00+02:00 nor a day such as 2027-03-31", s)
	}
	loc, err := zone()
	if err != nil {
		return time.Time{}, fmt.Errorf("--due: the organization's time zone, for the day's end: %w", err)
	}
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc), nil
}
