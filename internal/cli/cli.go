// Package cli is the tenantry command: the one place that wires the
// store, the use cases, mail and the HTTP server together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tenantry/tenantry/internal/api"
	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/server"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/webhook"
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// settings are the flags every command shares.
type settings struct {
	db             string
	addr           string
	publicURL      string
	logLevel       string
	auditRetention time.Duration
	// tokenRate limits client-credentials grants per second, per client
	// and per address.
	tokenRateClient, tokenRateAddress int
	smtp                              mail.SMTPConfig
	secretKeyFile                     string
	secretKey                         string
	synchronous                       string
	catalogue                         string
	catalogueDir                      string
	// geoip is a place database (.mmdb) for the sessions page (serve).
	geoip string
	// idpPrivate lets identity providers live at loopback and private
	// addresses (serve).
	idpPrivate bool
}

// Main runs the tenantry command with args (without the program name)
// and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	root := &cobra.Command{
		Use:           "tenantry",
		Short:         "Accounts, users, roles and organizations for B2B customer portals",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return fromEnv(cmd.Flags())
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	f := root.PersistentFlags()
	f.StringVar(&s.db, "db", "tenantry-data/tenantry.db", "database: a SQLite file path, or a postgres:// URL (env TENANTRY_DB)")
	f.StringVar(&s.addr, "addr", "127.0.0.1:8080", "address to listen on (env TENANTRY_ADDR)")
	f.StringVar(&s.publicURL, "public-url", "", "base URL of every link Tenantry sends; default http://ADDR (env TENANTRY_PUBLIC_URL)")
	f.StringVar(&s.secretKeyFile, "secret-key-file", "", "file with the key that seals TOTP secrets, signing keys and the client-secret pepper "+
		"in the database (32 bytes, base64); default: secret.key beside a SQLite database, made on first start (env TENANTRY_SECRET_KEY_FILE)")
	f.StringVar(&s.secretKey, "secret-key", "", "the sealing key itself, base64; prefer the environment (env TENANTRY_SECRET_KEY)")
	f.StringVar(&s.synchronous, "sqlite-synchronous", "normal", "SQLite durability: normal (a power loss may lose the last "+
		"commits, never consistency) or full (every answered write is on disk; slower) (env TENANTRY_SQLITE_SYNCHRONOUS)")
	f.StringVar(&s.catalogue, "catalogue", app.DefaultCatalogue, "the role catalogue of customer accounts opened without "+
		"naming one: 1nce, partner, cloud, hosting, or one from --catalogue-dir (env TENANTRY_CATALOGUE)")
	f.StringVar(&s.catalogueDir, "catalogue-dir", "", "a directory of more role catalogues (*.txt, the format of "+
		"docs/catalogues.md), checked at start (env TENANTRY_CATALOGUE_DIR)")
	f.DurationVar(&s.auditRetention, "audit-retention", 0, "how long audit events are kept, e.g. 8760h for a year; "+
		"0 keeps them for ever (env TENANTRY_AUDIT_RETENTION)")
	def := app.DefaultConfig()
	f.IntVar(&s.tokenRateClient, "token-rate-per-client", def.TokenRatePerClient, "client-credentials grants a second "+
		"one client may have from this instance, a second's worth at once; 0 for no limit (env TENANTRY_TOKEN_RATE_PER_CLIENT)")
	f.IntVar(&s.tokenRateAddress, "token-rate-per-address", def.TokenRatePerAddress, "client-credentials grants a second "+
		"one address may have from this instance (all clients behind it together); 0 for no limit (env TENANTRY_TOKEN_RATE_PER_ADDRESS)")
	f.StringVar(&s.logLevel, "log-level", "info", "debug, info, warn or error (env TENANTRY_LOG_LEVEL)")
	f.StringVar(&s.smtp.Host, "smtp-host", "", "SMTP server; empty keeps e-mail in the dev mailbox (env TENANTRY_SMTP_HOST)")
	f.IntVar(&s.smtp.Port, "smtp-port", 587, "SMTP port (env TENANTRY_SMTP_PORT)")
	f.StringVar(&s.smtp.Username, "smtp-user", "", "SMTP user name (env TENANTRY_SMTP_USER)")
	f.StringVar(&s.smtp.Password, "smtp-password", "", "SMTP password; prefer the environment (env TENANTRY_SMTP_PASSWORD)")
	f.StringVar(&s.smtp.TLS, "smtp-tls", "starttls", "starttls, tls (implicit, port 465) or none (env TENANTRY_SMTP_TLS)")
	f.StringVar(&s.smtp.From, "mail-from", "Tenantry <noreply@localhost>", "sender address of every e-mail (env TENANTRY_MAIL_FROM)")
	root.AddCommand(serveCmd(&s), migrateCmd(&s), bootstrapCmd(&s), mailCmd(&s), simsCmd(&s), usersCmd(&s), reviewsCmd(&s), openapiCmd(&s), backupCmd(&s), restoreCmd(&s), copyCmd(), versionCmd())
	return root
}

// fromEnv fills every flag not given on the command line from its
// TENANTRY_* variable: --public-url from TENANTRY_PUBLIC_URL.
func fromEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		name := "TENANTRY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && !f.Changed && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

// storedPublicURL sets the public URL, when no --public-url is given, to
// the one serve last recorded in the database, so that a link printed
// outside the server leads to it; with neither it refuses.
func (s *settings) storedPublicURL(ctx context.Context) error {
	if s.publicURL != "" {
		return nil
	}
	db, err := sqlstore.Open(ctx, s.db, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	url, err := app.StoredPublicURL(ctx, db)
	if err != nil {
		return err
	}
	if url == "" {
		return errors.New("no public URL: give --public-url (the address people reach this Tenantry at), or start serve once")
	}
	s.publicURL = url
	return nil
}

func (s *settings) public() string {
	if s.publicURL != "" {
		return strings.TrimRight(s.publicURL, "/")
	}
	return "http://" + s.addr
}

func (s *settings) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return server.NewLogger(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
}

// wiring is everything a command may need, built once.
type wiring struct {
	db         *sqlstore.DB
	app        *app.App
	log        *slog.Logger
	dispatcher *mail.Dispatcher
	// webhooks, set by serve, sends the webhook outbox.
	webhooks *webhook.Dispatcher
	// places is the place database of --geoip; nil without one.
	places *geo.DB
}

// wake tells the dispatchers that a change may have queued mail or
// webhooks.
func (w *wiring) wake() {
	w.dispatcher.Wake()
	if w.webhooks != nil {
		w.webhooks.Wake()
	}
}

// open connects to the database and builds the use cases over it, with a
// mail dispatcher that delivers over SMTP when a server is configured and
// to the dev mailbox (printed on stderr) otherwise.
func (s *settings) open(ctx context.Context, stderr io.Writer) (*wiring, error) {
	log, err := s.logger(stderr)
	if err != nil {
		return nil, err
	}
	pol, err := policy.LoadDir(s.catalogueDir)
	if err != nil {
		return nil, fmt.Errorf("role catalogues: %w", err)
	}
	var transport mail.Transport
	if s.smtp.Host != "" {
		if transport, err = mail.NewSMTP(s.smtp); err != nil {
			return nil, err
		}
	}
	db, err := sqlstore.OpenWith(ctx, s.db, sqlstore.Options{SQLiteSynchronous: s.synchronous})
	if err != nil {
		return nil, err
	}
	if transport == nil {
		transport = &mail.Mailbox{Store: db, Console: stderr}
	}
	w := &wiring{db: db, log: log, dispatcher: mail.NewDispatcher(db, transport, log)}
	cfg := app.DefaultConfig()
	cfg.PublicURL = s.public()
	cfg.Catalogue = s.catalogue
	cfg.IdPAllowPrivate = s.idpPrivate
	cfg.AuditRetention = s.auditRetention
	cfg.TokenRatePerClient, cfg.TokenRatePerAddress = s.tokenRateClient, s.tokenRateAddress
	if s.geoip != "" {
		// Mapped for the process's life, like the binary; serve reads a
		// replaced file again (watchPlaces).
		if cfg.Places, err = geo.Open(s.geoip); err != nil {
			db.Close()
			return nil, fmt.Errorf("--geoip: %w", err)
		}
		w.places = cfg.Places
	}
	if cfg.SecretKey, err = s.sealingKey(stderr); err != nil {
		db.Close()
		return nil, err
	}
	if w.app, err = app.New(db, pol, log, cfg, w.wake); err != nil {
		db.Close()
		return nil, err
	}
	if n, err := w.app.SealStored(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		log.Info("sealed secrets stored in the clear by an older version", "count", n)
	}
	return w, nil
}

// sealingKey is the key that seals secrets in the database: --secret-key,
// else --secret-key-file, else, for SQLite, secret.key beside the
// database file, made on first start. PostgreSQL serves several instances,
// which must share one key, so it takes no default.
func (s *settings) sealingKey(stderr io.Writer) ([]byte, error) {
	if s.secretKey != "" {
		k, err := seal.DecodeKey(s.secretKey)
		if err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		return k, nil
	}
	path, create := s.secretKeyFile, false
	if path == "" {
		if sqlstore.IsPostgres(s.db) {
			return nil, errors.New("PostgreSQL needs --secret-key-file or TENANTRY_SECRET_KEY: every instance must seal with the same key " +
				"(make one with: head -c 32 /dev/urandom | base64 > secret.key)")
		}
		path, create = filepath.Join(filepath.Dir(s.db), "secret.key"), true
	}
	k, created, err := seal.LoadKeyFile(path, create)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(stderr, "Made the secret key that seals secrets in the database: %s\n"+
			"Back it up apart from the database; without it no TOTP secret or signing key can be read.\n", path)
	}
	return k, nil
}

func backupCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE, while Tenantry runs",
		Long: "Write a consistent copy of the SQLite database to FILE (which must not exist) while serve runs\n" +
			"and writes: a copy of the live file with cp can be corrupt. Keep the secret key (secret.key)\n" +
			"with the backup, but apart from it. For PostgreSQL this prints the pg_dump command to run.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sqlstore.IsPostgres(s.db) {
				fmt.Fprintln(cmd.OutOrStdout(), sqlstore.PgDumpCommand(s.db, args[0]))
				return nil
			}
			db, err := sqlstore.Open(cmd.Context(), s.db, nil)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Backed up %s to %s\n", s.db, args[0])
			return nil
		},
	}
}

func restoreCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the database with the backup in FILE (stop serve first)",
		Long: "Check the backup in FILE (integrity_check), bring it up to this version's migrations and put it\n" +
			"in place of the SQLite database; the old file is kept as DB.before-restore. Stop serve first.\n" +
			"The secret key must be the one the backup was made with. For PostgreSQL use pg_restore.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sqlstore.Restore(cmd.Context(), args[0], s.db); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Restored %s from %s\n", s.db, args[0])
			return nil
		},
	}
}

func copyCmd() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --from DB --to DB",
		Short: "Copy every row from one database into an empty one: SQLite to PostgreSQL, or back",
		Long: "Copy every row of the --from database into the --to database, which must be empty (it is\n" +
			"migrated first), in one transaction: all or nothing. Stop serve on --from first. Then start\n" +
			"serve with --db set to --to and the same secret key. Prints each table's row count.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			src, err := sqlstore.Open(ctx, from, nil)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			defer src.Close()
			dst, err := sqlstore.Open(ctx, to, nil)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			defer dst.Close()
			last := ""
			counts, err := sqlstore.Copy(ctx, src, dst, func(table string, n int64) {
				if table != last {
					fmt.Fprintln(cmd.ErrOrStderr())
					last = table
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "\r%-18s %d rows", table, n)
			})
			fmt.Fprintln(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			total := int64(0)
			for _, n := range counts {
				total += n
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Copied %d rows in %d tables from %s (%s) to %s (%s)\n", total, len(counts),
				from, src.Dialect(), to, dst.Dialect())
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the database to copy: a SQLite path or a postgres:// URL")
	cmd.Flags().StringVar(&to, "to", "", "the empty database to copy into")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("to")
	return cmd
}

func openapiCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "Print the REST API's OpenAPI 3.1 document, as the server serves it",
		Long: "Print the OpenAPI 3.1 document of the REST API for --public-url, without a database: for\n" +
			"client generators and linters (CI lints it with Redocly).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api.Version = Version
			doc, err := api.Document(s.public(), app.ScopesOf(policy.Default()))
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(doc))
			return err
		},
	}
}

// versionLine says what this binary is, from its build information: the
// module version (set by go install; --ldflags Version otherwise), the
// commit and whether the tree had changes, and the Go toolchain.
func versionLine() string {
	v, commit, goVersion := Version, "", runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if m := bi.Main.Version; v == "dev" && m != "" && m != "(devel)" {
			v = m
		}
		goVersion = bi.GoVersion
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			commit = " commit " + rev
			if modified == "true" {
				commit += " (modified)"
			}
		}
	}
	return "tenantry " + v + commit + " " + goVersion
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit it was built from and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return nil
		},
	}
}

func migrateCmd(s *settings) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and list them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := sqlstore.Open(cmd.Context(), s.db, nil) // Open migrates
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := db.Migrations(cmd.Context())
			if err != nil {
				return err
			}
			for _, m := range st {
				state := "pending"
				if m.Applied {
					state = "applied"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%05d %-8s %s\n", m.Version, state, m.Source)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s database is up to date\n", db.Dialect())
			return nil
		},
	}
	return cmd
}

func bootstrapCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "bootstrap",
		Short: "Create the platform operator, or print a new one-time link to set their password",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.storedPublicURL(cmd.Context()); err != nil {
				return err
			}
			w, err := s.open(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer w.db.Close()
			if err := w.app.RecordPublicURL(cmd.Context()); err != nil {
				return err
			}
			res, err := w.app.Bootstrap(cmd.Context(), true)
			if err != nil {
				return err
			}
			printOperatorLink(cmd.OutOrStdout(), res, s.public())
			return nil
		},
	}
}

func printOperatorLink(w io.Writer, res *app.BootstrapResult, public string) {
	if res.Link == "" {
		return
	}
	if res.Created {
		fmt.Fprintln(w, "Created the platform operator (login: operator).")
	}
	token := res.Link[strings.Index(res.Link, "token=")+len("token="):]
	fmt.Fprintf(w, "Set the operator's password with this one-time link (valid 72 h):\n  %s\n"+
		"or from a shell:\n  curl -X POST %s/api/v1/password -H 'Content-Type: application/json' \\\n"+
		"    -d '{\"token\":\"%s\",\"password\":\"CHANGE-ME\"}'   # 12 to 1,024 characters of your own\n", res.Link, public, token)
}
