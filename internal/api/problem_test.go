package api

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestClientThatLeftIsNotAServerError is finding 22: a client that
// disconnected mid-request was logged as ERROR and counted as 500.
func TestClientThatLeftIsNotAServerError(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := s.problem(ctx, fmt.Errorf("reading the user: %w", context.Canceled)).(*Problem)
	if p.Status != 499 || p.Code != "client_closed" || strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("status %d code %s, log %s", p.Status, p.Code, logs.String())
	}
	// A cancellation that is not the client's (the request still open) stays a server error.
	p = s.problem(context.Background(), context.Canceled).(*Problem)
	if p.Status != 500 {
		t.Fatalf("status %d", p.Status)
	}
}
