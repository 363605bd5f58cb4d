package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const scimColumns = `org_id, user_id, token_hash, token_hint, default_role, idp_id, on_delete, exclusive, created_by, created_at, last_used_at`

func scanSCIM(row interface{ Scan(...any) error }) (*tenantry.SCIMConnection, error) {
	var c tenantry.SCIMConnection
	var created, used int64
	err := row.Scan(&c.OrgID, &c.UserID, &c.TokenHash, &c.TokenHint, &c.DefaultRole, &c.IdP, &c.OnDelete, &c.Exclusive,
		&c.CreatedBy, &created, &used)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "SCIM connection not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	c.CreatedAt, c.LastUsedAt = fromMicros(created), fromMicros(used)
	return &c, nil
}

// PutSCIMConnection creates or replaces an org's SCIM connection.
func (tx *Tx) PutSCIMConnection(ctx context.Context, c *tenantry.SCIMConnection) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO scim_connections (`+scimColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (org_id) DO UPDATE SET user_id = $2, token_hash = $3, token_hint = $4, default_role = $5,
			idp_id = $6, on_delete = $7, exclusive = $8, last_used_at = $11`,
		c.OrgID, c.UserID, c.TokenHash, c.TokenHint, c.DefaultRole, c.IdP, string(c.OnDelete), c.Exclusive, c.CreatedBy,
		micros(c.CreatedAt), micros(c.LastUsedAt))
	return err
}

// SCIMConnection returns an org's SCIM connection, or NotFound.
func (tx *Tx) SCIMConnection(ctx context.Context, orgID string) (*tenantry.SCIMConnection, error) {
	return scanSCIM(tx.queryRow(ctx, `SELECT `+scimColumns+` FROM scim_connections WHERE org_id = $1`, orgID))
}

// SCIMConnectionByToken returns the connection whose token has hash.
func (tx *Tx) SCIMConnectionByToken(ctx context.Context, hash string) (*tenantry.SCIMConnection, error) {
	return scanSCIM(tx.queryRow(ctx, `SELECT `+scimColumns+` FROM scim_connections WHERE token_hash = $1`, hash))
}

// TouchSCIMConnection records a use of the connection's token.
func (tx *Tx) TouchSCIMConnection(ctx context.Context, orgID string) error {
	_, err := tx.exec(ctx, `UPDATE scim_connections SET last_used_at = $2 WHERE org_id = $1`, orgID, micros(tx.now))
	return err
}

// DeleteSCIMConnection removes an org's SCIM connection, or NotFound.
func (tx *Tx) DeleteSCIMConnection(ctx context.Context, orgID string) error {
	return tx.execOne(ctx, "SCIM connection", `DELETE FROM scim_connections WHERE org_id = $1`, orgID)
}

// matchColumns are the columns of the attributes a UserMatch compares;
// the *_key columns hold lower-cased values, so those comparisons ignore
// case as SCIM's caseExact=false attributes do.
var matchColumns = map[tenantry.UserAttr]struct {
	col   string
	lower bool
}{
	tenantry.AttrID:           {"id", false},
	tenantry.AttrLogin:        {"login_key", true},
	tenantry.AttrEmail:        {"email_key", true},
	tenantry.AttrExternalID:   {"external_id", false},
	tenantry.AttrFirstName:    {"first_name_key", true},
	tenantry.AttrLastName:     {"last_name_key", true},
	tenantry.AttrJobTitle:     {"LOWER(job_title)", true},
	tenantry.AttrCreated:      {"created_at", false},
	tenantry.AttrLastModified: {"updated_at", false},
}

var sqlCmp = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}

// likeEscaper escapes LIKE's wildcards; patterns use ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// whereMatch writes m as an SQL condition, adding its values to args.
func whereMatch(b *strings.Builder, args *[]any, m *tenantry.UserMatch) error {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	switch m.Op {
	case tenantry.MatchAnd, tenantry.MatchOr:
		join := " AND "
		if m.Op == tenantry.MatchOr {
			join = " OR "
		}
		b.WriteString("(")
		for i := range m.Sub {
			if i > 0 {
				b.WriteString(join)
			}
			if err := whereMatch(b, args, &m.Sub[i]); err != nil {
				return err
			}
		}
		b.WriteString(")")
		return nil
	case tenantry.MatchNot:
		if len(m.Sub) != 1 {
			return tenantry.Errorf(tenantry.Invalid, "filter: not takes one condition")
		}
		b.WriteString("NOT ")
		return whereMatch(b, args, &m.Sub[0])
	}
	if m.Attr == tenantry.AttrActive {
		want, ok := m.Value.(bool)
		switch {
		case m.Cmp == "pr":
			b.WriteString("1 = 1")
		case !ok || (m.Cmp != "eq" && m.Cmp != "ne"):
			return tenantry.Errorf(tenantry.Invalid, "filter: active compares with eq or ne to true or false")
		default:
			if m.Cmp == "ne" {
				want = !want
			}
			op := "<>"
			if !want {
				op = "="
			}
			fmt.Fprintf(b, "status %s 'locked'", op)
		}
		return nil
	}
	c, ok := matchColumns[m.Attr]
	if !ok {
		return tenantry.Errorf(tenantry.Invalid, "filter: cannot filter by %s", m.Attr)
	}
	if t, ok := m.Value.(time.Time); ok {
		if m.Cmp == "pr" {
			fmt.Fprintf(b, "%s <> 0", c.col)
			return nil
		}
		op, ok := sqlCmp[m.Cmp]
		if !ok || c.col != "created_at" && c.col != "updated_at" {
			return tenantry.Errorf(tenantry.Invalid, "filter: %s does not compare with %s", m.Attr, m.Cmp)
		}
		fmt.Fprintf(b, "%s %s %s", c.col, op, arg(micros(t)))
		return nil
	}
	if m.Cmp == "pr" {
		fmt.Fprintf(b, "%s <> ''", c.col)
		return nil
	}
	v, ok := m.Value.(string)
	if !ok || c.col == "created_at" || c.col == "updated_at" {
		return tenantry.Errorf(tenantry.Invalid, "filter: %s compares with a %s value", m.Attr, map[bool]string{true: "text", false: "date"}[ok])
	}
	if c.lower {
		v = Key(v)
	}
	switch m.Cmp {
	case "co":
		fmt.Fprintf(b, `%s LIKE %s ESCAPE '\'`, c.col, arg("%"+likeEscaper.Replace(v)+"%"))
	case "sw":
		// A range, so that the column's index serves it.
		fmt.Fprintf(b, "(%s >= %s AND %s < %s)", c.col, arg(v), c.col, arg(v+prefixEnd))
	case "ew":
		fmt.Fprintf(b, `%s LIKE %s ESCAPE '\'`, c.col, arg("%"+likeEscaper.Replace(v)))
	default:
		op, ok := sqlCmp[m.Cmp]
		if !ok {
			return tenantry.Errorf(tenantry.Invalid, "filter: unknown operator %q", m.Cmp)
		}
		fmt.Fprintf(b, "%s %s %s", c.col, op, arg(v))
	}
	return nil
}

// QueryUsers returns one page of an org's own people that match q, oldest
// first, and how many match in all.
func (tx *Tx) QueryUsers(ctx context.Context, q tenantry.UserQuery) ([]*tenantry.User, int, error) {
	var where strings.Builder
	args := []any{q.OrgID}
	where.WriteString("org_id = $1 AND kind = 'human'")
	if q.Match != nil {
		where.WriteString(" AND ")
		if err := whereMatch(&where, &args, q.Match); err != nil {
			return nil, 0, err
		}
	}
	n := len(args)
	var out []*tenantry.User
	var err error
	if q.Limit > 0 {
		query := `SELECT %s FROM users WHERE %s ORDER BY created_at, id LIMIT $%d OFFSET $%d`
		if q.Offset > 0 && q.Match == nil {
			// A deep page: the offset is skipped in the index, by ids
			// alone, and only the page's rows are read.
			query = `SELECT %s FROM users WHERE id IN (
				SELECT id FROM users WHERE %s ORDER BY created_at, id LIMIT $%d OFFSET $%d) ORDER BY created_at, id`
		}
		out, err = tx.queryUsers(ctx, fmt.Sprintf(query, userColumns, where.String(), n+1, n+2), append(args, q.Limit, q.Offset)...)
		if err != nil {
			return nil, 0, err
		}
		if q.Offset == 0 && len(out) < q.Limit {
			return out, len(out), nil
		}
	}
	var total int
	err = tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE `+where.String(), args...).Scan(&total)
	return out, total, translate(err)
}

// RoleHolders returns the org's own people who hold role there, for
// service ("" for a grant over every service), by id.
func (tx *Tx) RoleHolders(ctx context.Context, orgID, role, service string) ([]*tenantry.User, error) {
	return tx.queryUsers(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND kind = 'human'
		AND id IN (SELECT user_id FROM grants WHERE org_id = $1 AND role = $2 AND service = $3
			AND (expires_at = 0 OR expires_at > $4)) ORDER BY id`, orgID, role, service, micros(tx.now))
}
