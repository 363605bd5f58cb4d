// Package sqlstore implements tenantry.Store on SQLite (modernc.org/sqlite)
// and PostgreSQL (pgx) with one set of portable SQL. It translates driver
// errors into tenantry error codes by their numeric codes, never by text.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// Dialect names the database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a tenantry.Store on SQLite or PostgreSQL.
type DB struct {
	dialect Dialect
	// write takes every read-write transaction. On SQLite it holds one
	// connection that begins transactions IMMEDIATE, so writers queue in
	// Go instead of failing with SQLITE_BUSY; read runs the rest.
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	stmts map[*sql.DB]*stmtCache
	base  string // SQLite: the file's connection string, for a backup's own connection
}

// stmtCache holds one pool's prepared statements. A query is prepared
// only once its transaction has ended: preparing needs a connection, and a
// transaction that waited for one while holding SQLite's only writer
// connection would wait forever.
type stmtCache struct {
	mu      sync.Mutex
	ready   map[string]*sql.Stmt
	pending map[string]bool
}

// maxStmts bounds a cache: queries built with many shapes (IN lists of
// every length) beyond it run unprepared.
const maxStmts = 500

func newStmtCache() *stmtCache {
	return &stmtCache{ready: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the prepared statement of query, or nil after noting it
// for preparation.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.ready[query]; ok {
		return st
	}
	if len(c.ready)+len(c.pending) < maxStmts {
		c.pending[query] = true
	}
	return nil
}

func (c *stmtCache) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0
}

// prepare prepares the noted queries; the caller holds no connection.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		todo = append(todo, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range todo {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, as before
		}
		c.mu.Lock()
		if _, dup := c.ready[q]; dup {
			st.Close()
		} else {
			c.ready[q] = st
		}
		c.mu.Unlock()
	}
}

var _ tenantry.Store = (*DB)(nil)

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn, a postgres:// URL or the path of a SQLite file
// (its directory is created), and applies pending migrations. now is the
// clock every transaction reads once; nil means time.Now.
func Open(ctx context.Context, dsn string, now func() time.Time) (*DB, error) {
	return OpenWith(ctx, dsn, Options{Now: now})
}

// Options tune OpenWith.
type Options struct {
	// Now is the clock every transaction reads once; nil means time.Now.
	Now func() time.Time
	// SQLiteSynchronous is SQLite's synchronous setting: "normal" (the
	// default: a power loss may lose the last commits, never consistency)
	// or "full" (every commit is on disk before it is answered).
	SQLiteSynchronous string
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	sync := "NORMAL"
	switch strings.ToLower(o.SQLiteSynchronous) {
	case "", "normal":
	case "full":
		sync = "FULL"
	default:
		return nil, fmt.Errorf("--sqlite-synchronous: %q is neither normal nor full", o.SQLiteSynchronous)
	}
	d := &DB{now: now}
	var err error
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && !IsPostgres(dsn) {
		return nil, fmt.Errorf("database %q: unknown scheme %q: give a SQLite file path or a postgres:// URL", redactDSN(dsn), scheme)
	}
	if IsPostgres(dsn) {
		d.dialect = Postgres
		d.write, err = sql.Open("pgx", withSessionLimits(dsn))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		d.write.SetMaxOpenConns(20)
		d.write.SetMaxIdleConns(20)
		d.read = d.write
	} else {
		d.dialect = SQLite
		configureSQLite()
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		base := "file:" + (&url.URL{Path: dsn}).EscapedPath() +
			"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(" + sync + ")"
		d.base = base
		if d.write, err = sql.Open("sqlite", base+"&_txlock=immediate"); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d.write.SetMaxOpenConns(1)
		d.write.SetMaxIdleConns(1)
		if d.read, err = sql.Open("sqlite", base+"&_pragma=query_only(1)"); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d.read.SetMaxOpenConns(4)
		d.read.SetMaxIdleConns(4) // reopening a connection costs more than the query
	}
	d.stmts = map[*sql.DB]*stmtCache{d.write: newStmtCache()}
	if d.read != d.write {
		d.stmts[d.read] = newStmtCache()
	}
	if err := d.write.PingContext(ctx); err != nil {
		d.Close()
		if d.dialect == SQLite {
			return nil, fmt.Errorf("open the SQLite database %s: %w", dsn, err)
		}
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redactDSN(dsn), err)
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// PostgreSQL session limits Tenantry sets unless the URL names its own
// (?statement_timeout=120s): an instance that dies mid-statement leaves
// its locks for at most this long, and no transaction idles holding them.
// The longest statement Tenantry runs, a transfer of a million SIMs, takes
// seconds.
var sessionLimits = map[string]string{"statement_timeout": "60s", "idle_in_transaction_session_timeout": "60s"}

// withSessionLimits adds sessionLimits to a postgres:// URL.
func withSessionLimits(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx says what is wrong with it
	}
	q := u.Query()
	for k, v := range sessionLimits {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// redactDSN is dsn without a password, for messages.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// Dialect returns the database kind behind d.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes every connection.
func (d *DB) Close() error {
	for _, c := range d.stmts {
		c.mu.Lock()
		for _, st := range c.ready {
			st.Close()
		}
		c.mu.Unlock()
	}
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Analyze refreshes the planner's statistics, as PostgreSQL's autovacuum
// does in time and SQLite never does by itself: after a bulk load, so that
// the next queries are planned for the rows now there. On PostgreSQL it
// vacuums too, which marks the new rows visible to index-only scans.
func (d *DB) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if d.dialect == Postgres {
		stmt = "VACUUM (ANALYZE)"
	}
	_, err := d.write.ExecContext(ctx, stmt)
	return translate(err)
}

// AfterBulkLoad analyses tables on PostgreSQL (see tenantry.Store); on
// SQLite it does nothing, so that plans stay those of SQLite's rules.
func (d *DB) AfterBulkLoad(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if !identifier.MatchString(t) {
			return fmt.Errorf("after bulk load: %q is no table name", t)
		}
	}
	if d.dialect != Postgres || len(tables) == 0 {
		return nil
	}
	_, err := d.write.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return translate(err)
}

// identifier is a table name as Tenantry's schema writes them.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Ping checks both pools.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return err
	}
	return d.read.PingContext(ctx)
}

// Update runs fn in one read-write transaction. On PostgreSQL a
// transaction that lost a deadlock is run again, a few times: fn must only
// touch the database, which every use case does.
func (d *DB) Update(ctx context.Context, fn func(tenantry.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := d.run(ctx, d.write, nil, false, fn)
		if attempt < 4 && retryable(err) {
			continue
		}
		return err
	}
}

// retryable reports a PostgreSQL deadlock or serialization failure.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// View runs fn in one read-only transaction, which reads one moment of
// the data: SQLite's reader in WAL mode keeps the snapshot of its first
// read, and on PostgreSQL the transaction is REPEATABLE READ (READ ONLY,
// so it never fails to serialize), not READ COMMITTED, where each
// statement would see the commits made since the one before.
func (d *DB) View(ctx context.Context, fn func(tenantry.Tx) error) error {
	var opts *sql.TxOptions
	if d.dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return d.run(ctx, d.read, opts, true, fn)
}

func (d *DB) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, view bool, fn func(tenantry.Tx) error) error {
	err := d.runTx(ctx, db, opts, view, fn)
	// The transaction has let go of its connection: now prepare the queries
	// it ran unprepared for the first time.
	if c := d.stmts[db]; c.hasPending() {
		c.prepare(context.WithoutCancel(ctx), db)
	}
	return err
}

func (d *DB) runTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, view bool, fn func(tenantry.Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	committed := false
	// Roll back on every way out but a commit, a panic or runtime.Goexit
	// (a test's t.Fatal) included, so no transaction is left holding locks.
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	tx := &Tx{tx: sqlTx, dialect: d.dialect, now: d.now().UTC().Truncate(time.Microsecond), stmts: d.stmts[db]}
	if view {
		tx.orgs = map[string]tenantry.Org{}
	}
	if err := fn(tx); err != nil {
		// A statement fn ran without translating its error may have met
		// a database that cannot take writes: say so, keep the rest as is.
		if te := translate(err); tenantry.ErrorCode(te) == tenantry.Unavailable {
			return te
		}
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return translate(err)
	}
	return nil
}

// Tx is one transaction; it implements tenantry.Tx.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	now     time.Time
	stmts   *stmtCache
	// simsLocked says the transaction holds the lock on SIM ranges.
	simsLocked bool
	// orgs holds the organizations a read-only transaction has read by
	// id (nil in one that writes): the use cases of one snapshot each
	// check the org they act on, and read it once.
	orgsMu sync.Mutex
	orgs   map[string]tenantry.Org
	// bound holds the transaction's handles on prepared statements it has
	// run: database/sql makes a new one at each call otherwise, and keeps
	// each until the end of the transaction (a bulk import of 5,000 people
	// made 40,000).
	boundMu sync.Mutex
	bound   []boundStmt
}

// boundStmt is a prepared statement and a transaction's handle on it.
type boundStmt struct{ shared, bound *sql.Stmt }

// stmt returns the transaction's handle on query's prepared statement, or
// nil to run it unprepared.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	st := tx.stmts.lookup(query)
	if st == nil {
		return nil
	}
	tx.boundMu.Lock()
	defer tx.boundMu.Unlock()
	for _, b := range tx.bound { // a transaction runs few distinct queries
		if b.shared == st {
			return b.bound
		}
	}
	b := tx.tx.StmtContext(ctx, st)
	tx.bound = append(tx.bound, boundStmt{st, b})
	return b
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// lockRows is the clause that locks selected rows until the transaction
// ends. SQLite needs none: its one writer holds the database.
func (tx *Tx) lockRows(skipLocked bool) string {
	if tx.dialect != Postgres {
		return ""
	}
	if skipLocked {
		return " FOR UPDATE SKIP LOCKED"
	}
	return " FOR UPDATE"
}

var _ tenantry.Tx = (*Tx)(nil)

// Now returns the transaction's one time.
func (tx *Tx) Now() time.Time { return tx.now }

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	var err error
	if st := tx.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = tx.tx.ExecContext(ctx, query, args...)
	}
	return res, translate(err)
}

// execOne runs a statement that must change exactly one row; what names
// the row for the NotFound message.
func (tx *Tx) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err)
	} else if n == 0 {
		return tenantry.Errorf(tenantry.NotFound, "%s not found", what)
	}
	return nil
}

// translate maps driver errors to tenantry codes by their numeric codes.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &tenantry.Error{Code: tenantry.NotFound, Message: "not found", Err: err}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return &tenantry.Error{Code: tenantry.Conflict, Message: "already exists", Err: err}
		case "23503": // foreign_key_violation
			return &tenantry.Error{Code: tenantry.Invalid, Message: "refers to something that does not exist", Err: err}
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return &tenantry.Error{Code: tenantry.Conflict, Message: "concurrent change, try again", Err: err}
		case "57P01", "57P02", "57P03", "53300", "53100", "25006":
			// shutting down, starting up, too many connections, disk full, read-only
			return unavailable(err)
		case "57014": // query_canceled: statement_timeout
			return &tenantry.Error{Code: tenantry.Unavailable, Message: "the database took too long; try again", Err: err}
		}
		if strings.HasPrefix(pg.Code, "08") { // connection exception
			return unavailable(err)
		}
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &tenantry.Error{Code: tenantry.Conflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &tenantry.Error{Code: tenantry.Invalid, Message: "refers to something that does not exist", Err: err}
		}
		switch lite.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_FULL:
			return &tenantry.Error{Code: tenantry.Unavailable, Message: "the database's disk is full; nothing was saved", Err: err}
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY:
			return unavailable(err)
		}
	}
	var te *tenantry.Error
	if errors.As(err, &te) {
		return err
	}
	var pgConnect *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &pgConnect) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) {
		return unavailable(err)
	}
	return &tenantry.Error{Code: tenantry.Internal, Message: "internal error", Err: err}
}

// unavailable is a database that cannot take the request now: down,
// unreachable, full or read-only. Nothing was changed; the caller may try
// again later.
func unavailable(err error) error {
	return &tenantry.Error{Code: tenantry.Unavailable, Message: "the database is unavailable; nothing was changed, try again shortly", Err: err}
}

// constraintName returns the constraint a PostgreSQL error names.
func constraintName(err error) (string, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.ConstraintName != "" {
		return pg.ConstraintName, true
	}
	return "", false
}

// micros stores a time as Unix microseconds, the zero time as 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// nullable stores "" as NULL, for optional references and unique values.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Pools describes the connection pools: "write", and "read" where reads
// have a pool of their own (SQLite).
func (d *DB) Pools() []tenantry.PoolStats {
	stat := func(name string, db *sql.DB) tenantry.PoolStats {
		st := db.Stats()
		return tenantry.PoolStats{Name: name, Open: st.OpenConnections, InUse: st.InUse, WaitCount: st.WaitCount, WaitTime: st.WaitDuration}
	}
	out := []tenantry.PoolStats{stat("write", d.write)}
	if d.read != d.write {
		out = append(out, stat("read", d.read))
	}
	return out
}

// queryAll runs a query and reads every row with scan, which turns its
// own errors (sql.ErrNoRows among them) into tenantry errors.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}
