// Package app is Tenantry's one door: every use case of the API, the
// portal and the CLI is a method here. Each takes the acting principal,
// asks the policy about the org that owns the target, validates, changes
// the store in one transaction, and writes its audit event and queues its
// e-mail in that same transaction.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/oidcrp"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Config holds the settings of the use cases.
type Config struct {
	// Places names where sessions' addresses are (serve --geoip); nil
	// names none.
	Places *geo.DB
	// Catalogue is the role catalogue of a customer account opened
	// without naming one (serve's --catalogue).
	Catalogue string
	// PublicURL is the base of every link Tenantry sends, e.g.
	// "https://portal.example.com"; links never come from request headers.
	PublicURL string
	// ActivationTTL is how long activation, reset and invitation links work.
	ActivationTTL time.Duration
	// SessionIdle ends a session that has not been used for this long.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in, used or not.
	SessionMax time.Duration
	// SecretKey seals what the database keeps of TOTP secrets, signing
	// keys and the client-secret pepper (see internal/seal); it is kept
	// outside the database and required.
	SecretKey []byte
	// ReauthWindow is how long after a session proved its user a
	// sensitive change (a personal access token, 2FA, a password, a
	// client secret) may go ahead without proving it again.
	ReauthWindow time.Duration
	// Password is the argon2id cost of new password hashes.
	Password auth.Params
	// Throttle limits consecutive failures per login from one address and
	// per TOTP secret; LoginThrottle per login from anywhere (it slows
	// down, never locks); AddressThrottle per source address, across logins.
	Throttle        auth.Throttle
	LoginThrottle   auth.Throttle
	AddressThrottle auth.Throttle
	// Issuer names Tenantry in authenticator apps.
	Issuer string
	// TokenTTL is the lifetime of an OAuth2 access token; KeyRotation how
	// long a signing key signs before its successor takes over.
	TokenTTL    time.Duration
	KeyRotation time.Duration
	// TokenRatePerClient and TokenRatePerAddress limit grants per second
	// at the token endpoint, per instance (0: no limit).
	TokenRatePerClient  int
	TokenRatePerAddress int
	// AuditRetention is how long audit events are kept (B6); zero keeps
	// them for ever. Sweep removes older ones.
	AuditRetention time.Duration
	// WebhookRetry is the wait before each retry of a failed webhook
	// delivery; after the last the delivery is given up.
	WebhookRetry []time.Duration
	// WebhookDisableAfter turns off an endpoint whose deliveries have all
	// failed for this long, and tells its administrators.
	WebhookDisableAfter time.Duration
	// WebhookLogRetention is how long finished deliveries stay in the
	// delivery log.
	WebhookLogRetention time.Duration
	// IdPAllowPrivate lets identity providers be reached at loopback and
	// private addresses, for a provider on the operator's own network.
	// Off, an issuer that resolves to one is refused: an org's
	// administrator chooses it, and must not probe inside through it.
	IdPAllowPrivate bool
	// Now is the clock of the work done outside a transaction (token
	// grants and checks); nil means time.Now. Transactions read the store's.
	Now func() time.Time
}

// DefaultConfig returns the settings Tenantry runs with unless told otherwise.
func DefaultConfig() Config {
	// Many people may share one office address: count their failures
	// together, forget them after a quiet quarter hour, but slow nobody
	// down for someone else's typo.
	addr := auth.Throttle{Limit: 100, LockFor: 15 * time.Minute, Window: 15 * time.Minute}
	// A login guessed at from many addresses: the first 20 failures are
	// free, then each waits longer, up to a minute, and nothing locks, so
	// its person still gets in.
	login := auth.Throttle{Free: 20, Base: time.Second, Max: time.Minute, Window: time.Hour}
	return Config{
		Catalogue:       DefaultCatalogue,
		PublicURL:       "http://127.0.0.1:8080",
		ActivationTTL:   72 * time.Hour,
		SessionIdle:     30 * time.Minute,
		SessionMax:      12 * time.Hour,
		ReauthWindow:    10 * time.Minute,
		Password:        auth.DefaultParams,
		Throttle:        auth.DefaultThrottle,
		LoginThrottle:   login,
		AddressThrottle: addr,
		Issuer:          "Tenantry",
		TokenTTL:        15 * time.Minute,
		KeyRotation:     24 * time.Hour,
		// A client needs a new token every quarter hour, not hundreds a second.
		TokenRatePerClient:  100,
		TokenRatePerAddress: 5000,
		// The Standard Webhooks schedule: tries for a day and more, so
		// an endpoint down for a day is turned off before it is given up.
		WebhookRetry: []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
			5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
		WebhookDisableAfter: 24 * time.Hour,
		WebhookLogRetention: 30 * 24 * time.Hour,
	}
}

// App is the set of use cases over one store.
type App struct {
	store   tenantry.Store
	policy  *policy.Policy
	notices *notice.Renderer
	msgs    *lang.Catalogue
	log     *slog.Logger
	cfg     Config
	wake    func()
	// hashSlots bounds concurrent argon2id computations to the cores.
	hashSlots chan struct{}
	// meter limits the password meter's estimates per address.
	meter buckets

	m    machines
	seal *seal.Sealer
	// rp signs people in through their organizations' identity providers.
	rp *oidcrp.RP

	passwordChecks atomic.Int64
	totpChecks     atomic.Int64
	counts         counts
	// loads counts bulk loads whose statistics refresh has not run yet
	// (refreshStatistics).
	loads atomic.Int64

	// after is work a use case left to run once its caller has its
	// answer; Settle waits for it. spawn starts it (a test holds it).
	after sync.WaitGroup
	spawn func(func())
	// stopping ends when Interrupt is called: the grace period of a
	// shutdown is over, and work started by Go must stop.
	stopping  context.Context
	interrupt context.CancelFunc
	// instance names this process in the jobs it records.
	instance string
	// state caches what authentication and decisions read (viewState).
	state *stateCache
}

// counts are what the use cases count for the operator's metrics.
type counts struct {
	signIn   [signInOutcomes]atomic.Int64
	tokens   [tokenOutcomes]atomic.Int64
	inFlight atomic.Int64 // work run after answering, not done yet
}

// The outcomes of a sign-in, as Counters names them.
const (
	signInOK = iota
	signInMFA
	signInFailed
	signInThrottled
	signInOutcomes
)

// The outcomes of a token request.
const (
	tokenIssued = iota
	tokenRefused
	tokenThrottled
	tokenOutcomes
)

// Counters is what the App counted since it started.
type Counters struct {
	SignIns map[string]int64 // by outcome: ok, mfa_pending, failed, throttled
	Tokens  map[string]int64 // by outcome: issued, refused, throttled
	// Background is the work use cases left to run after answering that
	// is not done yet.
	Background int64
}

// Counters returns the App's counts, for metrics.
func (a *App) Counters() Counters {
	c := Counters{SignIns: map[string]int64{}, Tokens: map[string]int64{}, Background: a.counts.inFlight.Load()}
	for i, name := range []string{"ok", "mfa_pending", "failed", "throttled"} {
		c.SignIns[name] = a.counts.signIn[i].Load()
	}
	for i, name := range []string{"issued", "refused", "throttled"} {
		c.Tokens[name] = a.counts.tokens[i].Load()
	}
	return c
}

// Pools describes the store's connection pools, for metrics.
func (a *App) Pools() []tenantry.PoolStats { return a.store.Pools() }

// OutboxBacklog is how many e-mails wait to be sent, and how long the
// oldest has waited.
func (a *App) OutboxBacklog(ctx context.Context) (int64, time.Duration, error) {
	return a.backlog(ctx, tenantry.Tx.OutboxBacklog)
}

// WebhookBacklog counts webhook deliveries to active endpoints not yet
// delivered nor given up, and how long the oldest has waited.
func (a *App) WebhookBacklog(ctx context.Context) (int64, time.Duration, error) {
	return a.backlog(ctx, tenantry.Tx.WebhookBacklog)
}

// backlog reads one of the store's backlogs, with its oldest entry's age.
func (a *App) backlog(ctx context.Context, read func(tenantry.Tx, context.Context) (int64, time.Time, error)) (int64, time.Duration, error) {
	var n int64
	var oldest time.Time
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		n, oldest, err = read(tx, ctx)
		return err
	})
	if err != nil || oldest.IsZero() {
		return n, 0, err
	}
	return n, a.cfg.Now().Sub(oldest), nil
}

// Go runs fn as work that outlives its request, under a context that
// outlives it too: where the time a step takes would tell the caller
// something (does this login exist?), and for long work (the portal's
// inventory load). It is counted in the metrics and waited for by
// Settle, so that a clean shutdown lets it finish within the grace
// period; Interrupt cancels it when that is over. An error is logged; fn
// records its outcome for whoever waits.
func (a *App) Go(ctx context.Context, what string, fn func(ctx context.Context) error) {
	a.after.Add(1)
	a.counts.inFlight.Add(1)
	a.spawn(func() {
		defer a.after.Done()
		defer a.counts.inFlight.Add(-1)
		// It outlives the request's Snapshot too: its reads run in
		// transactions of their own.
		ctx, cancel := context.WithCancel(context.WithValue(context.WithoutCancel(ctx), snapshotKey{}, nil))
		defer cancel()
		defer context.AfterFunc(a.stopping, cancel)()
		if err := fn(ctx); err != nil {
			a.log.ErrorContext(ctx, what, "err", err)
		}
	})
}

// Interrupt cancels the context of the work Go started: a shutdown's
// grace period is over. That work ends early and records that it was
// cut off (see StartImport); Settle then returns soon.
func (a *App) Interrupt() { a.interrupt() }

// Messages is the catalogue of every message in every language.
func (a *App) Messages() *lang.Catalogue { return a.msgs }

// Settle waits until the work use cases left to run after answering is
// done: before shutdown, and in tests before looking at its effects.
func (a *App) Settle() { a.after.Wait() }

// New returns an App. wake, if not nil, is called after a change that may
// have queued e-mail has committed, so the dispatcher can send at once.
func New(store tenantry.Store, p *policy.Policy, log *slog.Logger, cfg Config, wake func()) (*App, error) {
	msgs, err := lang.Load()
	if err != nil {
		return nil, err
	}
	r, err := notice.New(msgs)
	if err != nil {
		return nil, err
	}
	if wake == nil {
		wake = func() {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sealer, err := seal.New(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	if cfg.Catalogue == "" {
		cfg.Catalogue = DefaultCatalogue
	}
	if !slices.Contains(p.Catalogues(), cfg.Catalogue) {
		return nil, fmt.Errorf("catalogue %q is not loaded; the customer catalogues are %s", cfg.Catalogue,
			strings.Join(p.Catalogues(), ", "))
	}
	a := &App{state: newStateCache(), store: store, policy: p, notices: r, msgs: msgs, log: log, cfg: cfg, wake: wake, seal: sealer,
		hashSlots: make(chan struct{}, runtime.GOMAXPROCS(0)), spawn: func(f func()) { go f() }, instance: newID()}
	a.rp = oidcrp.New(cfg.PublicURL+IdPCallbackPath, cfg.Now, cfg.IdPAllowPrivate)
	a.stopping, a.interrupt = context.WithCancel(context.Background())
	a.m.failures.size = time.Minute
	return a, nil
}

// Policy returns the policy the App enforces.
func (a *App) Policy() *policy.Policy { return a.policy }

// Ready checks that the store answers.
//
// Ready commits a small write (the time of the probe), so that a database
// that answers but cannot commit (a full disk, a read-only file system, a
// PostgreSQL in recovery) is not ready: an instance that cannot write must
// get no traffic.
func (a *App) Ready(ctx context.Context) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		return tx.PutSetting(ctx, "ready_probe", tx.Now().UTC().Format(time.RFC3339Nano))
	})
}

// PasswordChecks counts the password hashes evaluated so far; TOTPChecks
// the TOTP and recovery codes. Tests and metrics read them.
func (a *App) PasswordChecks() int64 { return a.passwordChecks.Load() }

// TOTPChecks counts the second-factor codes evaluated so far.
func (a *App) TOTPChecks() int64 { return a.totpChecks.Load() }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// validID reports whether s has the form of the ids newID makes.
func validID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.String() == s
}

// update runs fn in one transaction and then wakes the mail dispatcher.
func (a *App) update(ctx context.Context, fn func(tx tenantry.Tx) error) error {
	if err := a.store.Update(ctx, fn); err != nil {
		return err
	}
	a.wake()
	return nil
}

// queue renders a message for u in their language and adds it to the
// outbox in tx. key makes it idempotent.
func (a *App) queue(ctx context.Context, tx tenantry.Tx, to string, u *tenantry.User, kind notice.Kind, key string, d notice.Data) error {
	if to == "" {
		return nil // API users and the operator may have no address
	}
	d.Name, d.Login = u.FirstName, u.Login
	if d.Org == "" {
		if o, err := tx.Org(ctx, u.OrgID); err == nil {
			d.Org = o.Name
		}
	}
	if d.When == "" && notice.TellsWhen(kind) { // now, as the person's org reads the time
		loc, err := a.zoneOf(ctx, tx, u.OrgID)
		if err != nil {
			return err
		}
		d.When = zoned(tx.Now(), loc)
	}
	if d.Hours == 0 {
		d.Hours = int(a.cfg.ActivationTTL.Hours())
	}
	m, err := a.notices.Render(kind, u.Language, d)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(ctx, &tenantry.Mail{Key: string(kind) + ":" + key, To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
}

// event writes one audit event in tx.
func event(ctx context.Context, tx tenantry.Tx, who *Actor, org, action, targetType, targetID string, details map[string]any) error {
	e := &tenantry.Event{OrgID: org, Action: action, TargetType: targetType, TargetID: targetID, Details: details}
	if who != nil {
		e.ActorID, e.IP = who.User.ID, who.IP
		if who.Via == ViaSCIM { // the org's directory did it, over SCIM (B7)
			e.Details = maps.Clone(details)
			if e.Details == nil {
				e.Details = map[string]any{}
			}
			e.Details["via"] = "scim"
		}
	}
	if err := tx.AddEvent(ctx, e); err != nil {
		return err
	}
	return publish(ctx, tx, e, who)
}

// DefaultCatalogue is the catalogue of accounts when the deployment names
// none: seed 001's IoT SIM portal.
const DefaultCatalogue = "1nce"

// catalogueFor names the role catalogue that applies in org.
func catalogueFor(o *tenantry.Org) string {
	switch {
	case o.Catalogue != "":
		return o.Catalogue
	case o.Kind == tenantry.OrgPlatform:
		return "platform"
	}
	return DefaultCatalogue
}

// reason is the field error with code that says t, its Message in
// English with the plural forms the catalogue gives.
func (a *App) reason(code string, t tenantry.Text) tenantry.FieldError {
	return tenantry.FieldError{Code: code, Message: a.msgs.Sprintf(lang.English, t.Format, t.Args...), Text: t}
}

// personName names a user for a reader who needs to tell people apart:
// "Ada Lovelace (ada@example.com)".
func personName(u *tenantry.User) string { return u.FullName() + " (" + u.Login + ")" }

// count is n things in English: "1 line", "2 lines".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// notFound hides whether an object exists from someone who may not see it.
func notFound(what string) error {
	return &tenantry.Error{Code: tenantry.NotFound, Message: what + " not found"}
}

func forbidden(format string, args ...any) error {
	return tenantry.Errorf(tenantry.Forbidden, format, args...)
}

// refused is forbidden for an action the policy denies the actor in an
// org: the error names both, so the portal can say why in words from the
// same explanation every decision gives (B2).
func (a *App) refused(act policy.Action, org, format string, args ...any) error {
	e := tenantry.Errorf(tenantry.Forbidden, format, args...)
	e.Action, e.Org = a.policy.ActionName(act), org
	return e
}

// peopleWhoseRoles returns the active people holding, in org, a role of
// its catalogue that pick chooses: those an org-wide message is for
// (reviewers, administrators of a role, of webhooks). Each appears once.
func (a *App) peopleWhoseRoles(ctx context.Context, tx tenantry.Tx, org *tenantry.Org, pick func(policy.Role) bool) ([]*tenantry.User, error) {
	var out []*tenantry.User
	seen := map[string]bool{}
	for _, r := range a.policy.Roles(catalogueFor(org)) {
		if !pick(r) {
			continue
		}
		people, err := tx.RoleHolders(ctx, org.ID, a.policy.RoleName(r), "")
		if err != nil {
			return nil, err
		}
		for _, u := range people {
			if !seen[u.ID] && u.Status == tenantry.UserActive && u.Kind == tenantry.UserHuman {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}
