package sqlstore

import "context"

// AccountServices returns the services enabled for an account, sorted.
func (tx *Tx) AccountServices(ctx context.Context, accountID string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT service FROM account_services WHERE account_id = $1 ORDER BY service`, accountID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, translate(err)
		}
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// SetAccountServices enables exactly services for an account, keeping
// when those enabled already were.
func (tx *Tx) SetAccountServices(ctx context.Context, accountID string, services []string) error {
	have, err := tx.AccountServices(ctx, accountID)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	for _, s := range have {
		if !want[s] {
			if _, err := tx.exec(ctx, `DELETE FROM account_services WHERE account_id = $1 AND service = $2`, accountID, s); err != nil {
				return err
			}
		}
		delete(want, s)
	}
	for _, s := range services {
		if want[s] {
			if _, err := tx.exec(ctx, `INSERT INTO account_services (account_id, service, enabled_at) VALUES ($1, $2, $3)`,
				accountID, s, micros(tx.now)); err != nil {
				return err
			}
			delete(want, s)
		}
	}
	return nil
}

// DeleteServiceGrants removes the grants naming service in an account's tree.
func (tx *Tx) DeleteServiceGrants(ctx context.Context, accountID, service string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM grants WHERE service = $2 AND org_id IN (SELECT id FROM orgs WHERE account_id = $1)`,
		accountID, service)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}
