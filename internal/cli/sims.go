package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantry/tenantry/internal/sims"
)

// remote is a signed-in client of a Tenantry server's API.
type remote struct {
	base  string
	http  *http.Client
	token string // a bearer token, instead of a session
}

// remoteFlags are how the API commands reach and sign in to a server.
type remoteFlags struct {
	server, login string
	passwordStdin bool
}

func (f *remoteFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", "", "the Tenantry server; default --public-url (env TENANTRY_SERVER)")
	cmd.Flags().StringVar(&f.login, "login", "", "sign in as this login (env TENANTRY_LOGIN); the password comes from TENANTRY_PASSWORD; or set TENANTRY_TOKEN instead")
	cmd.Flags().BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
}

// tokenEnv names the variable that holds a bearer token (an Owner's
// personal access token, or an API client's access token) to use instead
// of signing in.
const tokenEnv = "TENANTRY_TOKEN"

// connect signs in to the server and returns the client.
func (f *remoteFlags) connect(cmd *cobra.Command, s *settings) (*remote, error) {
	base := f.server
	if base == "" {
		base = s.public()
	}
	if token := os.Getenv(tokenEnv); token != "" && f.login == "" {
		return &remote{base: strings.TrimRight(base, "/"), http: &http.Client{}, token: token}, nil
	}
	if f.login == "" {
		return nil, fmt.Errorf("--login: say who signs in (or set TENANTRY_LOGIN), or set %s to a bearer token", tokenEnv)
	}
	password := os.Getenv("TENANTRY_PASSWORD")
	if f.passwordStdin {
		line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return nil, fmt.Errorf("no password: set TENANTRY_PASSWORD or use --password-stdin")
	}
	jar, _ := cookiejar.New(nil)
	r := &remote{base: strings.TrimRight(base, "/"), http: &http.Client{Jar: jar}}
	body, _ := json.Marshal(map[string]string{"login": f.login, "password": password})
	var out struct {
		MFARequired bool `json:"mfa_required"`
	}
	if err := r.call("POST", "/api/v1/session", "application/json", bytes.NewReader(body), &out); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if out.MFARequired {
		return nil, fmt.Errorf("sign in: %s uses two-factor sign-in; use a personal access token in %s instead", f.login, tokenEnv)
	}
	return r, nil
}

// problemError is an API error as the server explained it.
type problemError struct {
	Status int
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Line    int    `json:"line"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *problemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d %s)", p.Detail, p.Status, p.Code)
	for _, e := range p.Errors {
		switch {
		case e.Line > 0 && e.Field != "":
			fmt.Fprintf(&b, "\n  line %d: %s: %s", e.Line, e.Field, e.Message)
		case e.Line > 0:
			fmt.Fprintf(&b, "\n  line %d: %s", e.Line, e.Message)
		case e.Field != "":
			fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Message)
		default:
			fmt.Fprintf(&b, "\n  %s", e.Message)
		}
	}
	return b.String()
}

// call sends one request and decodes the JSON answer into out, or, when
// out is a *[]byte, keeps the answer as it came (a CSV export).
func (r *remote) call(method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequest(method, r.base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	res, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		p := &problemError{Status: res.StatusCode}
		if json.Unmarshal(raw, p) != nil || p.Detail == "" {
			p.Detail = strings.TrimSpace(string(raw))
		}
		return p
	}
	if b, ok := out.(*[]byte); ok {
		*b = raw
		return nil
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// progress draws a bar on w as bytes go through it.
type progress struct {
	r     io.Reader
	w     io.Writer
	total int64
	done  int64
	shown int
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if pct := int(p.done * 100 / max(p.total, 1)); pct != p.shown || err == io.EOF {
		p.shown = pct
		bar := strings.Repeat("#", pct/4) + strings.Repeat(".", 25-pct/4)
		fmt.Fprintf(p.w, "\r[%s] %3d%% %d/%d bytes", bar, pct, p.done, p.total)
		if err == io.EOF {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}

func simsCmd(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "sims", Short: "Load SIM inventory and transfer SIMs, through a server's API"}

	var imp remoteFlags
	var account, file, status string
	importCmd := &cobra.Command{
		Use:   "import --account ID --file ICCIDS.txt",
		Short: "Load SIMs into a customer account (operators): one ICCID per line, all or nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			iccids, err := sims.ReadICCIDs(f)
			f.Close()
			if err != nil {
				return err
			}
			r, err := imp.connect(cmd, s)
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]any{"iccids": iccids, "status": status})
			var out struct {
				Loaded int `json:"loaded"`
			}
			bar := &progress{r: bytes.NewReader(body), w: cmd.ErrOrStderr(), total: int64(len(body))}
			if err := r.call("POST", "/api/v1/accounts/"+account+"/sims", "application/json", bar, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "loaded %d SIMs into account %s\n", out.Loaded, account)
			return nil
		},
	}
	importCmd.Flags().StringVar(&account, "account", "", "the customer account's id")
	importCmd.Flags().StringVar(&file, "file", "", "a file with one ICCID per line")
	importCmd.Flags().StringVar(&status, "status", "active", "the SIMs' status: active, inactive or suspended")
	imp.add(importCmd)

	var tr remoteFlags
	var from, to, rangesFile string
	var dryRun bool
	transferCmd := &cobra.Command{
		Use:   "transfer --from ORG --to ORG --file ranges.csv [--dry-run]",
		Short: "Transfer the SIMs in a .csv or .txt file of START;END ranges between an org and its parent or child",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := os.ReadFile(rangesFile)
			if err != nil {
				return err
			}
			r, err := tr.connect(cmd, s)
			if err != nil {
				return err
			}
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			part, _ := mw.CreateFormFile("file", rangesFile)
			part.Write(data)
			mw.Close()
			q := "?from=" + from + "&to=" + to
			if dryRun {
				q += "&dry_run=true"
			}
			var out struct {
				ID     string `json:"id"`
				Moved  int64  `json:"moved"`
				Ranges []struct {
					Start    string `json:"start"`
					End      string `json:"end"`
					Line     int    `json:"line"`
					Moved    int64  `json:"moved"`
					NotOwned int64  `json:"not_owned"`
				} `json:"ranges"`
			}
			if err := r.call("POST", "/api/v1/transfers/upload"+q, mw.FormDataContentType(), &body, &out); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, rg := range out.Ranges {
				fmt.Fprintf(w, "line %d  %s..%s  %d SIMs", rg.Line, rg.Start, rg.End, rg.Moved)
				if rg.NotOwned > 0 {
					fmt.Fprintf(w, " (%d ICCIDs in the range are not SIMs of the source org)", rg.NotOwned)
				}
				fmt.Fprintln(w)
			}
			if dryRun {
				fmt.Fprintf(w, "dry run: %d SIMs would move; nothing moved\n", out.Moved)
			} else {
				fmt.Fprintf(w, "moved %d SIMs (transfer %s)\n", out.Moved, out.ID)
			}
			return nil
		},
	}
	transferCmd.Flags().StringVar(&from, "from", "", "the organization that gives the SIMs")
	transferCmd.Flags().StringVar(&to, "to", "", "its direct parent or child")
	transferCmd.Flags().StringVar(&rangesFile, "file", "", "the ranges, one START;END per line")
	transferCmd.Flags().BoolVar(&dryRun, "dry-run", false, "check and count, move nothing")
	tr.add(transferCmd)

	cmd.AddCommand(importCmd, transferCmd)
	return cmd
}
