package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const userColumns = `id, org_id, kind, status, email, login, first_name, last_name, phone, job_title,
	language, contact_billing, contact_technical, contact_business, notify_news, notify_alerts,
	initial_owner, must_change_password, password_hash, totp_enabled, created_at, updated_at, last_sign_in_at, token_version,
	COALESCE(idp_id, '') AS idp_id, external_login, idp_subject, break_glass, external_id, scim_managed`

// listedUserColumns are userColumns without the password hash, which no
// list shows or needs.
var listedUserColumns = strings.Replace(userColumns, "password_hash,", "'' AS password_hash,", 1)

func scanUser(row interface{ Scan(...any) error }) (*tenantry.User, error) {
	r := newUserRow()
	if err := r.read(row); err != nil {
		return nil, err
	}
	return &r.u, nil // r serves this one row: its user needs no copy
}

// userRow scans rows of userColumns, then extra columns, into one set of
// destinations: a list of 50 people no longer makes a slice of 30 and
// three integers for each (a fifth of a users page's allocations).
type userRow struct {
	u                        tenantry.User
	created, updated, signIn int64
	dest                     []any
}

// newUserRow returns a userRow whose rows end with the columns extra
// points to.
func newUserRow(extra ...any) *userRow {
	r := &userRow{}
	u := &r.u
	r.dest = append([]any{&u.ID, &u.OrgID, &u.Kind, &u.Status, &u.Email, &u.Login, &u.FirstName, &u.LastName,
		&u.Phone, &u.JobTitle, &u.Language, &u.ContactBilling, &u.ContactTechnical, &u.ContactBusiness,
		&u.NotifyNews, &u.NotifyAlerts, &u.InitialOwner, &u.MustChangePassword, &u.PasswordHash,
		&u.TOTPEnabled, &r.created, &r.updated, &r.signIn, &u.TokenVersion, &u.IdPID, &u.ExternalLogin, &u.IdPSubject, &u.BreakGlass,
		&u.ExternalID, &u.SCIMManaged}, extra...)
	return r
}

// read scans row into r.u.
func (r *userRow) read(row interface{ Scan(...any) error }) error {
	if err := row.Scan(r.dest...); err != nil {
		return err
	}
	r.u.CreatedAt, r.u.UpdatedAt, r.u.LastSignInAt = fromMicros(r.created), fromMicros(r.updated), fromMicros(r.signIn)
	return nil
}

// scan reads row and returns its user, a copy of its own, for r to read
// the next row.
func (r *userRow) scan(row interface{ Scan(...any) error }) (*tenantry.User, error) {
	if err := r.read(row); err != nil {
		return nil, err
	}
	u := r.u
	return &u, nil
}

func externalIDTaken(cause error) error {
	return &tenantry.Error{Code: tenantry.Conflict, Message: "external_id: already used in this organization",
		Fields: []tenantry.FieldError{{Field: "external_id", Message: "already used in this organization"}}, Err: cause}
}

// Key returns the search key of s: lower-cased, as stored in *_key columns.
func Key(s string) string { return strings.ToLower(s) }

// CreateUser inserts u; a Conflict names the field that is taken.
func (tx *Tx) CreateUser(ctx context.Context, u *tenantry.User) error {
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO users (id, org_id, kind, status, email, email_key, login, login_key,
		first_name, first_name_key, last_name, last_name_key, phone, job_title, language,
		contact_billing, contact_technical, contact_business, notify_news, notify_alerts,
		initial_owner, must_change_password, password_hash, totp_enabled, created_at, updated_at, last_sign_in_at,
		idp_id, external_login, external_login_key, idp_subject, break_glass, external_id, scim_managed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`,
		u.ID, u.OrgID, u.Kind, u.Status, u.Email, Key(u.Email), u.Login, Key(u.Login),
		u.FirstName, Key(u.FirstName), u.LastName, Key(u.LastName), u.Phone, u.JobTitle, u.Language,
		u.ContactBilling, u.ContactTechnical, u.ContactBusiness, u.NotifyNews, u.NotifyAlerts,
		u.InitialOwner, u.MustChangePassword, u.PasswordHash, u.TOTPEnabled,
		micros(u.CreatedAt), micros(u.UpdatedAt), micros(u.LastSignInAt),
		nullable(u.IdPID), u.ExternalLogin, Key(u.ExternalLogin), u.IdPSubject, u.BreakGlass, u.ExternalID, u.SCIMManaged)
	if tenantry.ErrorCode(err) == tenantry.Conflict {
		return tx.userConflict(ctx, u, err)
	}
	return err
}

// userConflict finds which unique value of u is taken, for a message that
// names the field.
func (tx *Tx) userConflict(ctx context.Context, u *tenantry.User, cause error) error {
	loginTaken := false
	if name, ok := constraintName(cause); ok {
		// PostgreSQL names the index, and the aborted transaction could
		// not run the query below anyway.
		loginTaken = name == "users_login"
		if name == "users_org_external_id" {
			return externalIDTaken(cause)
		}
	} else {
		var n int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND external_id = $2 AND external_id <> '' AND id <> $3`,
			u.OrgID, u.ExternalID, u.ID).Scan(&n)
		if err == nil && n > 0 {
			return externalIDTaken(cause)
		}
		err = tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE login_key = $1 AND id <> $2`,
			Key(u.Login), u.ID).Scan(&n)
		loginTaken = err == nil && n > 0
	}
	if loginTaken {
		return &tenantry.Error{Code: tenantry.Conflict, Message: "login: already taken",
			Fields: []tenantry.FieldError{{Field: "login", Message: "already taken"}}, Err: cause}
	}
	return &tenantry.Error{Code: tenantry.Conflict, Message: "email: already used in this organization",
		Fields: []tenantry.FieldError{{Field: "email", Message: "already used in this organization"}}, Err: cause}
}

func (tx *Tx) queryUser(ctx context.Context, query string, args ...any) (*tenantry.User, error) {
	u, err := scanUser(tx.queryRow(ctx, query, args...))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "user not found")
	}
	return u, translate(err)
}

// User returns the user with id.
func (tx *Tx) User(ctx context.Context, id string) (*tenantry.User, error) {
	return tx.queryUser(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
}

// UserByLogin returns the user whose login matches case-insensitively.
func (tx *Tx) UserByLogin(ctx context.Context, login string) (*tenantry.User, error) {
	return tx.queryUser(ctx, `SELECT `+userColumns+` FROM users WHERE login_key = $1`, Key(login))
}

// UsersByExternalLogin returns up to two users who sign in through the
// identity provider idpID with value as their login: their custom
// external login, or their e-mail where they have none.
func (tx *Tx) UsersByExternalLogin(ctx context.Context, idpID, value string) ([]*tenantry.User, error) {
	return tx.queryUsers(ctx, `SELECT `+userColumns+` FROM users WHERE idp_id = $1
		AND (external_login_key = $2 OR (external_login = '' AND email_key = $2)) ORDER BY id LIMIT 2`, idpID, Key(value))
}

// CountIdPUsers counts the users who sign in through an identity provider.
func (tx *Tx) CountIdPUsers(ctx context.Context, idpID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE idp_id = $1`, idpID).Scan(&n)
	return n, translate(err)
}

// UpdateUser writes u's mutable fields.
func (tx *Tx) UpdateUser(ctx context.Context, u *tenantry.User) error {
	u.UpdatedAt = tx.now
	err := tx.execOne(ctx, "user", `UPDATE users SET status = $2, email = $3, email_key = $4,
		first_name = $5, first_name_key = $6, last_name = $7, last_name_key = $8, phone = $9, job_title = $10,
		language = $11, contact_billing = $12, contact_technical = $13, contact_business = $14,
		notify_news = $15, notify_alerts = $16, must_change_password = $17, password_hash = $18,
		totp_enabled = $19, updated_at = $20, last_sign_in_at = $21, login = $22, login_key = $23, initial_owner = $24, token_version = $25,
		idp_id = $26, external_login = $27, external_login_key = $28, idp_subject = $29, break_glass = $30,
		external_id = $31, scim_managed = $32 WHERE id = $1`,
		u.ID, u.Status, u.Email, Key(u.Email), u.FirstName, Key(u.FirstName), u.LastName, Key(u.LastName),
		u.Phone, u.JobTitle, u.Language, u.ContactBilling, u.ContactTechnical, u.ContactBusiness,
		u.NotifyNews, u.NotifyAlerts, u.MustChangePassword, u.PasswordHash, u.TOTPEnabled,
		micros(u.UpdatedAt), micros(u.LastSignInAt), u.Login, Key(u.Login), u.InitialOwner, u.TokenVersion,
		nullable(u.IdPID), u.ExternalLogin, Key(u.ExternalLogin), u.IdPSubject, u.BreakGlass, u.ExternalID, u.SCIMManaged)
	if tenantry.ErrorCode(err) == tenantry.Conflict {
		return tx.userConflict(ctx, u, err)
	}
	return err
}

// DeleteUser removes a user; grants, sessions and tokens go with it.
func (tx *Tx) DeleteUser(ctx context.Context, id string) error {
	return tx.execOne(ctx, "user", `DELETE FROM users WHERE id = $1`, id)
}

// InitialOwners returns the users of an org marked as its initial owner.
func (tx *Tx) InitialOwners(ctx context.Context, orgID string) ([]*tenantry.User, error) {
	return tx.queryUsers(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND initial_owner`, orgID)
}

// queryUsers runs a query of userColumns.
func (tx *Tx) queryUsers(ctx context.Context, query string, args ...any) ([]*tenantry.User, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.User
	r := newUserRow()
	for rows.Next() {
		u, err := r.scan(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, u)
	}
	return out, translate(rows.Err())
}

// Link lists a person of another org among an org's users.
func (tx *Tx) Link(ctx context.Context, orgID, userID string) error {
	_, err := tx.exec(ctx, `INSERT INTO links (org_id, user_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (org_id, user_id) DO NOTHING`, orgID, userID, micros(tx.now))
	return err
}

// Unlink stops listing a linked person among an org's users.
func (tx *Tx) Unlink(ctx context.Context, orgID, userID string) error {
	_, err := tx.exec(ctx, `DELETE FROM links WHERE org_id = $1 AND user_id = $2`, orgID, userID)
	return err
}

// CountUsers counts an org's users.
func (tx *Tx) CountUsers(ctx context.Context, orgID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE org_id = $1`, orgID).Scan(&n)
	return n, translate(err)
}

var sortColumns = map[tenantry.UserSort]string{
	tenantry.SortLastName:  "last_name_key",
	tenantry.SortFirstName: "first_name_key",
	tenantry.SortLogin:     "login_key",
	tenantry.SortEmail:     "email_key",
	tenantry.SortCreated:   "created_at",
}

// prefixEnd is above every string that starts with the prefix it follows.
const prefixEnd = "\U0010FFFF"

// ListUsers returns one page of an org's users by keyset: the page starts
// after the cursor's (sort key, id), so page 1,000 costs what page 1 does.
func (tx *Tx) ListUsers(ctx context.Context, f tenantry.UserFilter) ([]tenantry.ListedUser, string, error) {
	col, ok := sortColumns[f.Sort]
	if !ok {
		return nil, "", tenantry.Errorf(tenantry.Invalid, "sort: unknown column %q", f.Sort)
	}
	var where strings.Builder
	args := []any{f.OrgID}
	where.WriteString("org_id = $1")
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = arg(string(k))
		}
		fmt.Fprintf(&where, " AND kind IN (%s)", strings.Join(kinds, ", "))
		if !slices.Contains(f.Kinds, tenantry.UserHuman) {
			// The condition of the partial index users_org_machines, as
			// written there: SQLite uses such an index only then.
			where.WriteString(" AND kind <> 'human'")
		}
	}
	dir, cmp := "ASC", ">"
	if f.Desc {
		dir, cmp = "DESC", "<"
	}
	var cursor *tenantry.Cursor
	if f.Cursor != "" {
		c, err := tenantry.DecodeCursor(f.Cursor, f.Sort, f.Desc)
		if err != nil {
			return nil, "", err
		}
		cursor = &c
	}
	for _, p := range []struct{ col, prefix string }{
		{"first_name_key", f.FirstName}, {"last_name_key", f.LastName},
		{"login_key", f.Login}, {"email_key", f.Email},
	} {
		if p.prefix == "" {
			continue
		}
		k := Key(p.prefix)
		// Past the first page, the cursor bounds the sort column on the
		// near side; a second bound there would keep the database from
		// seeking straight to the cursor.
		nearSideByCursor := cursor != nil && p.col == col
		if !nearSideByCursor || f.Desc {
			fmt.Fprintf(&where, " AND %s >= %s", p.col, arg(k))
		}
		if !nearSideByCursor || !f.Desc {
			fmt.Fprintf(&where, " AND %s < %s", p.col, arg(k+prefixEnd))
		}
	}
	if cursor != nil {
		var key any = cursor.Key
		if f.Sort == tenantry.SortCreated {
			n, err := strconv.ParseInt(cursor.Key, 10, 64)
			if err != nil {
				return nil, "", tenantry.Errorf(tenantry.Invalid, "cursor: not a cursor from this list")
			}
			key = n
		}
		// col >= key AND (col > key OR id > last id): the first term is an
		// index seek on both databases, the second filters only the rows
		// that share the cursor's key.
		k, id := arg(key), arg(cursor.ID)
		fmt.Fprintf(&where, " AND %s %s= %s AND (%s %s %s OR id %s %s)", col, cmp, k, col, cmp, k, cmp, id)
	}
	limit := f.Limit
	// Two keyset scans, each of which seeks by index: the org's own people,
	// and the (few) people linked to it from other orgs; then the merge.
	home := where.String()
	linked := "id IN (SELECT user_id FROM links WHERE org_id = $1)" + strings.TrimPrefix(home, "org_id = $1")
	n := arg(limit + 1)
	// Each arm is its own statement, so that SQLite hands its rows over as
	// the index gives them: one statement of both arms sorted them again,
	// copying every text column through SQLite's allocator. Their roles in
	// the org come in the same row, one text per person, instead of a
	// query of a row per role; and whether the org has linked people at
	// all, so that most lists need no second statement.
	arm := func(w string) string {
		return fmt.Sprintf(`SELECT %s, %s AS sort_key, %s AS roles, EXISTS (SELECT 1 FROM links WHERE org_id = $1) AS linked
			FROM users WHERE %s ORDER BY %s %s, id %s LIMIT %s`,
			listedUserColumns, col, tx.rolesIn("users.id"), w, col, dir, dir, n)
	}
	own, hasLinked, err := tx.listedUsers(ctx, f.OrgID, arm(home), args)
	if err != nil {
		return nil, "", err
	}
	var others []listedUser
	if hasLinked || len(own) == 0 {
		if others, _, err = tx.listedUsers(ctx, f.OrgID, arm(linked), args); err != nil {
			return nil, "", err
		}
	}
	out := mergeListed(own, others, f.Desc, limit+1)
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = tenantry.Cursor{Sort: f.Sort, Desc: f.Desc, Key: fmt.Sprint(last.key), ID: last.User.ID}.Encode()
	}
	page := make([]tenantry.ListedUser, len(out))
	for i, l := range out {
		page[i] = l.ListedUser
	}
	return page, next, nil
}

// listedUser is a listed person with the value of the list's sort column.
type listedUser struct {
	tenantry.ListedUser
	key any
}

// listedUsers runs one arm of ListUsers; linked says whether the org has
// linked people (known only if the arm found someone).
func (tx *Tx) listedUsers(ctx context.Context, orgID, query string, args []any) (out []listedUser, linked bool, err error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, false, translate(err)
	}
	defer rows.Close()
	var key any
	var roles sql.NullString
	r := newUserRow(&key, &roles, &linked)
	for rows.Next() {
		u, err := r.scan(rows)
		if err != nil {
			return nil, false, translate(err)
		}
		out = append(out, listedUser{tenantry.ListedUser{User: u, Grants: parseRoles(u.ID, orgID, roles.String)}, key})
	}
	return out, linked, translate(rows.Err())
}

// mergeListed merges two arms, each in the list's order, into the first n
// of both: by sort key, then id, as the arms' ORDER BY (byte order on both
// databases: the key columns are COLLATE_BYTES).
func mergeListed(a, b []listedUser, desc bool, n int) []listedUser {
	if len(b) == 0 {
		return a[:min(len(a), n)]
	}
	before := func(x, y listedUser) bool {
		c := compareKeys(x.key, y.key)
		if c == 0 {
			c = strings.Compare(x.User.ID, y.User.ID)
		}
		if desc {
			return c > 0
		}
		return c < 0
	}
	out := make([]listedUser, 0, min(len(a)+len(b), n))
	for len(out) < n && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || len(a) > 0 && before(a[0], b[0]) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// compareKeys orders two values of one sort column as the database does.
func compareKeys(x, y any) int {
	switch x := x.(type) {
	case int64:
		return cmp.Compare(x, y.(int64))
	case string:
		return strings.Compare(x, y.(string))
	default:
		return strings.Compare(fmt.Sprint(x), fmt.Sprint(y))
	}
}

// rolesIn is a subquery that gives, as one text, the roles the user with
// id user holds in the org $1: fields apart by unit separators (0x1f),
// grants by record separators (0x1e). Names and ids never hold control
// characters (httpinput refuses them).
func (tx *Tx) rolesIn(user string) string {
	fields := `g.id || CHAR(31) || g.role || CHAR(31) || g.service || CHAR(31) || g.expires_at`
	agg := `group_concat(` + fields + `, CHAR(30))`
	if tx.dialect == Postgres {
		agg = `string_agg(` + strings.ReplaceAll(fields, "CHAR(", "chr(") + `, chr(30))`
	}
	return `(SELECT ` + agg + ` FROM grants g WHERE g.user_id = ` + user + ` AND g.org_id = $1)`
}

// parseRoles reads what rolesIn gave, in order of role and service.
func parseRoles(userID, orgID, text string) []tenantry.Grant {
	if text == "" {
		return nil
	}
	out := make([]tenantry.Grant, 0, strings.Count(text, "\x1e")+1)
	for rec := range strings.SplitSeq(text, "\x1e") {
		var f [4]string
		n := 0
		for field := range strings.SplitSeq(rec, "\x1f") {
			if n < len(f) {
				f[n] = field
			}
			n++
		}
		if n != len(f) {
			continue
		}
		expires, _ := strconv.ParseInt(f[3], 10, 64)
		out = append(out, tenantry.Grant{ID: f[0], UserID: userID, OrgID: orgID, Role: f[1], Service: f[2], ExpiresAt: fromMicros(expires)})
	}
	slices.SortFunc(out, func(x, y tenantry.Grant) int {
		return cmp.Or(strings.Compare(x.Role, y.Role), strings.Compare(x.Service, y.Service))
	})
	return out
}
