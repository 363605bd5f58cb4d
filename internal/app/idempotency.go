package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// once runs a use case's transaction once per actor and idempotency key
// (B5): the answer, out, is kept with the key in the same transaction, and
// a retry with the key and the same request gets it back without running
// anything. The same key with another request is refused. With no key it
// is an ordinary update. Keys are kept for at least a day (Sweep).
func (a *App) once(ctx context.Context, who *Actor, key, operation string, request, out any, run func(tenantry.Tx) error) error {
	if key == "" {
		return a.update(ctx, run)
	}
	if len(key) > 255 {
		return tenantry.FieldInvalid("idempotency_key", "must have at most 255 characters")
	}
	b, err := json.Marshal(request)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	attempt := func() error {
		return a.update(ctx, func(tx tenantry.Tx) error {
			kept, err := tx.IdempotentResponse(ctx, who.User.ID, key)
			switch {
			case err == nil && (kept.Operation != operation || kept.RequestHash != hash):
				return tenantry.FieldInvalid("idempotency_key", "was used for another request; use a new key for each request")
			case err == nil:
				return json.Unmarshal([]byte(kept.Response), out)
			case tenantry.ErrorCode(err) != tenantry.NotFound:
				return err
			}
			if err := run(tx); err != nil {
				return err
			}
			answer, err := json.Marshal(out)
			if err != nil {
				return err
			}
			err = tx.PutIdempotentResponse(ctx, &tenantry.IdempotentResponse{ActorID: who.User.ID, Key: key,
				Operation: operation, RequestHash: hash, Response: string(answer)})
			if tenantry.ErrorCode(err) == tenantry.Conflict {
				return errKeyTaken
			}
			return err
		})
	}
	err = attempt()
	if errors.Is(err, errKeyTaken) {
		// The same request ran at the same time and kept its answer
		// first; the second attempt reads it.
		err = attempt()
	}
	return err
}

// errKeyTaken says a concurrent request kept its answer under the key first.
var errKeyTaken = tenantry.Errorf(tenantry.Conflict, "a request with this Idempotency-Key ran at the same time; send it again to read its answer")
