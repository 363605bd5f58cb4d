package sqlstore

import (
	"context"
	"strconv"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const workflowColumns = `id, org_id, kind, title, status, created_by, created_at, closed_at`

func scanWorkflow(row interface{ Scan(...any) error }) (*tenantry.Workflow, error) {
	var w tenantry.Workflow
	var created, closed int64
	if err := row.Scan(&w.ID, &w.OrgID, &w.Kind, &w.Title, &w.Status, &w.CreatedBy, &created, &closed); err != nil {
		return nil, err
	}
	w.CreatedAt, w.ClosedAt = fromMicros(created), fromMicros(closed)
	return &w, nil
}

// CreateWorkflow inserts w.
func (tx *Tx) CreateWorkflow(ctx context.Context, w *tenantry.Workflow) error {
	w.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO workflows (`+workflowColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		w.ID, w.OrgID, w.Kind, w.Title, w.Status, w.CreatedBy, micros(w.CreatedAt), micros(w.ClosedAt))
	return err
}

// Workflow returns one workflow.
func (tx *Tx) Workflow(ctx context.Context, id string) (*tenantry.Workflow, error) {
	w, err := scanWorkflow(tx.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE id = $1`, id))
	if err != nil {
		return nil, scanOne(err, "workflow")
	}
	return w, nil
}

// UpdateWorkflow writes status and closing time.
func (tx *Tx) UpdateWorkflow(ctx context.Context, w *tenantry.Workflow) error {
	return tx.execOne(ctx, "workflow", `UPDATE workflows SET status = $2, closed_at = $3 WHERE id = $1`,
		w.ID, w.Status, micros(w.ClosedAt))
}

// OrgWorkflows returns an org's workflows.
func (tx *Tx) OrgWorkflows(ctx context.Context, orgID string, openOnly bool) ([]*tenantry.Workflow, error) {
	q := `SELECT ` + workflowColumns + ` FROM workflows WHERE org_id = $1`
	if openOnly {
		q += ` AND status = 'open'`
	}
	return tx.workflows(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT 500`, orgID)
}

// AccountWorkflows returns the workflows of an account and of every
// organization in it.
func (tx *Tx) AccountWorkflows(ctx context.Context, accountID string) ([]*tenantry.Workflow, error) {
	return tx.workflows(ctx, `SELECT `+workflowColumns+` FROM workflows
		WHERE org_id IN (SELECT id FROM orgs WHERE account_id = $1 OR id = $1)
		ORDER BY created_at DESC, id DESC LIMIT 500`, accountID)
}

func (tx *Tx) workflows(ctx context.Context, query string, args ...any) ([]*tenantry.Workflow, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Workflow
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, w)
	}
	return out, translate(rows.Err())
}

const requestColumns = `id, org_id, kind, text, new_owner_id, status, resolution, created_by, resolved_by, created_at, resolved_at`

func scanRequest(row interface{ Scan(...any) error }) (*tenantry.ServiceRequest, error) {
	var r tenantry.ServiceRequest
	var created, resolved int64
	if err := row.Scan(&r.ID, &r.OrgID, &r.Kind, &r.Text, &r.NewOwnerID, &r.Status, &r.Resolution, &r.CreatedBy,
		&r.ResolvedBy, &created, &resolved); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ResolvedAt = fromMicros(created), fromMicros(resolved)
	return &r, nil
}

// CreateServiceRequest inserts r.
func (tx *Tx) CreateServiceRequest(ctx context.Context, r *tenantry.ServiceRequest) error {
	r.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO service_requests (`+requestColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.OrgID, r.Kind, r.Text, r.NewOwnerID, r.Status, r.Resolution, r.CreatedBy, r.ResolvedBy,
		micros(r.CreatedAt), micros(r.ResolvedAt))
	return err
}

// ServiceRequest returns one request.
func (tx *Tx) ServiceRequest(ctx context.Context, id string) (*tenantry.ServiceRequest, error) {
	r, err := scanRequest(tx.queryRow(ctx, `SELECT `+requestColumns+` FROM service_requests WHERE id = $1`, id))
	if err != nil {
		return nil, scanOne(err, "service request")
	}
	return r, nil
}

// UpdateServiceRequest writes status, resolution and resolver.
func (tx *Tx) UpdateServiceRequest(ctx context.Context, r *tenantry.ServiceRequest) error {
	return tx.execOne(ctx, "service request", `UPDATE service_requests SET status = $2, resolution = $3,
		resolved_by = $4, resolved_at = $5 WHERE id = $1`, r.ID, r.Status, r.Resolution, r.ResolvedBy, micros(r.ResolvedAt))
}

// ServiceRequests lists requests newest first.
func (tx *Tx) ServiceRequests(ctx context.Context, orgID, status string, limit int) ([]*tenantry.ServiceRequest, error) {
	args := []any{}
	q := `SELECT ` + requestColumns + ` FROM service_requests WHERE 1 = 1`
	if orgID != "" {
		args = append(args, orgID)
		q += ` AND org_id = $` + strconv.Itoa(len(args))
	}
	if status != "" {
		args = append(args, status)
		q += ` AND status = $` + strconv.Itoa(len(args))
	}
	args = append(args, limit)
	rows, err := tx.query(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.ServiceRequest
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

const contactColumns = `id, org_id, kind, name, email, phone, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*tenantry.Contact, error) {
	var c tenantry.Contact
	var created, updated int64
	if err := row.Scan(&c.ID, &c.OrgID, &c.Kind, &c.Name, &c.Email, &c.Phone, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// CreateContact inserts c.
func (tx *Tx) CreateContact(ctx context.Context, c *tenantry.Contact) error {
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO contacts (`+contactColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.OrgID, c.Kind, c.Name, c.Email, c.Phone, micros(c.CreatedAt), micros(c.UpdatedAt))
	return err
}

// Contact returns one contact.
func (tx *Tx) Contact(ctx context.Context, id string) (*tenantry.Contact, error) {
	c, err := scanContact(tx.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`, id))
	if err != nil {
		return nil, scanOne(err, "contact")
	}
	return c, nil
}

// UpdateContact writes c's fields.
func (tx *Tx) UpdateContact(ctx context.Context, c *tenantry.Contact) error {
	c.UpdatedAt = tx.now
	return tx.execOne(ctx, "contact", `UPDATE contacts SET kind = $2, name = $3, email = $4, phone = $5, updated_at = $6
		WHERE id = $1`, c.ID, c.Kind, c.Name, c.Email, c.Phone, micros(c.UpdatedAt))
}

// DeleteContact removes one contact.
func (tx *Tx) DeleteContact(ctx context.Context, id string) error {
	return tx.execOne(ctx, "contact", `DELETE FROM contacts WHERE id = $1`, id)
}

// OrgContacts returns an org's contacts.
func (tx *Tx) OrgContacts(ctx context.Context, orgID string) ([]*tenantry.Contact, error) {
	rows, err := tx.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE org_id = $1 ORDER BY kind, name, id`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}
