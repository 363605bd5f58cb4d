package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// SIM is a SIM card as the API shows it.
type SIM struct {
	ICCID     string    `json:"iccid"`
	OrgID     string    `json:"org_id"`
	Status    string    `json:"status" enum:"active,inactive,suspended"`
	UpdatedAt time.Time `json:"updated_at"`
}

type importInput struct {
	OrgID          string `path:"org" doc:"The customer account"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Optional: a retry with the same key and request answers as the first did and changes nothing twice (kept at least 24 hours; per caller)"`
	Body           struct {
		ICCIDs []string `json:"iccids" minItems:"1" maxItems:"2000000"`
		Status string   `json:"status,omitempty" enum:"active,inactive,suspended" default:"active"`
	}
}

type importOutput struct {
	Body struct {
		Loaded int `json:"loaded"`
	}
}

type listSIMsInput struct {
	OrgID  string `path:"org"`
	Prefix string `query:"prefix" maxLength:"20" doc:"ICCID prefix"`
	Status string `query:"status" enum:"active,inactive,suspended"`
	Cursor string `query:"cursor" maxLength:"100"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type simsOutput struct {
	Body struct {
		Items      []SIM  `json:"items"`
		NextCursor string `json:"next_cursor,omitempty"`
	}
}

type exportInput struct {
	OrgID  string `path:"org"`
	Prefix string `query:"prefix" maxLength:"20"`
	Status string `query:"status" enum:"active,inactive,suspended"`
}

type csvOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// RangeBody is one range of ICCIDs, inclusive.
type RangeBody struct {
	Start string `json:"start" maxLength:"20"`
	End   string `json:"end" maxLength:"20"`
}

type transferInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Optional: a retry with the same key and request answers as the first did and changes nothing twice (kept at least 24 hours; per caller)"`
	Body           struct {
		From   string      `json:"from" doc:"The organization that gives the SIMs"`
		To     string      `json:"to" doc:"Its direct parent or child"`
		Ranges []RangeBody `json:"ranges" minItems:"1" maxItems:"10000" doc:"For one SIM, start = end"`
		DryRun bool        `json:"dry_run,omitempty" doc:"Count and check without moving anything"`
	}
}

type uploadInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Optional: a retry with the same key and request answers as the first did and changes nothing twice (kept at least 24 hours; per caller)"`
	From           string `query:"from" required:"true"`
	To             string `query:"to" required:"true"`
	DryRun         bool   `query:"dry_run"`
	RawBody        huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" contentType:"text/csv,text/plain,application/octet-stream" required:"true" doc:"One START;END per line"`
	}]
}

type simInput struct {
	ICCID string `path:"iccid" maxLength:"22"`
}

// SIMEvent is one line of a SIM's history.
type SIMEvent struct {
	Kind        string     `json:"kind" enum:"loaded,transferred"`
	At          time.Time  `json:"at"`
	By          string     `json:"by,omitempty" doc:"The login of who did it, where the caller may see them"`
	FromOrgID   string     `json:"from_org_id,omitempty"`
	FromOrgName string     `json:"from_org_name,omitempty"`
	ToOrgID     string     `json:"to_org_id,omitempty"`
	ToOrgName   string     `json:"to_org_name,omitempty"`
	ID          string     `json:"id" doc:"The transfer's id, or the inventory load's"`
	Range       *RangeBody `json:"range,omitempty" doc:"The transfer's range that held the SIM"`
	Count       int64      `json:"count" doc:"How many SIMs the transfer or load moved in all"`
}

type simHistoryOutput struct {
	Body struct {
		SIM     SIM        `json:"sim"`
		History []SIMEvent `json:"history"`
	}
}

// RangeResult is what a transfer did, or would do, with one range.
type RangeResult struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Line     int    `json:"line,omitempty"`
	Moved    int64  `json:"moved" doc:"SIMs moved, or that would move in a dry run"`
	NotOwned int64  `json:"not_owned" doc:"ICCIDs in the range that are not SIMs of the source organization; they stay where they are. Other organizations' SIMs are never counted or revealed"`
}

type transferOutput struct {
	Body struct {
		ID     string        `json:"id,omitempty" doc:"Absent for a dry run"`
		DryRun bool          `json:"dry_run"`
		Moved  int64         `json:"moved"`
		Ranges []RangeResult `json:"ranges"`
	}
}

// Transfer is a committed transfer.
type Transfer struct {
	ID        string        `json:"id"`
	From      string        `json:"from"`
	To        string        `json:"to"`
	Moved     int64         `json:"moved"`
	Ranges    []RangeResult `json:"ranges"`
	CreatedAt time.Time     `json:"created_at"`
}

type transfersOutput struct {
	Body struct {
		Items []Transfer `json:"items"`
	}
}

// maxImportBody fits MaxImport ICCIDs of 20 digits as a JSON array.
const maxImportBody = app.MaxImport*24 + 1<<20

func (s *Server) simRoutes() {
	imp := op("importSIMs", http.MethodPost, "/api/v1/accounts/{org}/sims", "Load SIM inventory into a customer account (operators)", "SIMs")
	imp.DefaultStatus = http.StatusCreated
	imp.Errors = append(imp.Errors, 409)
	imp.Description = "All or nothing: a wrong or existing ICCID is reported with its line (position, from 1) and nothing is loaded; " +
		"the answer lists the first 100 wrong lines and says how many there are. Up to 2,000,000 ICCIDs (a body of up to 48 MiB)."
	imp.MaxBodyBytes = maxImportBody
	imp.BodyReadTimeout = 2 * time.Minute // 48 MiB over a slow link
	huma.Register(s.api, imp, func(ctx context.Context, in *importInput) (*importOutput, error) {
		n, err := s.app.ImportSIMsOnce(ctx, actor(ctx), in.IdempotencyKey, in.OrgID, in.Body.Status, in.Body.ICCIDs, nil)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &importOutput{}
		out.Body.Loaded = n
		return out, nil
	})

	huma.Register(s.api, op("listSIMs", http.MethodGet, "/api/v1/orgs/{org}/sims", "List an organization's SIMs", "SIMs"),
		func(ctx context.Context, in *listSIMsInput) (*simsOutput, error) {
			list, next, err := s.app.ListSIMs(ctx, actor(ctx), tenantry.SIMFilter{OrgID: in.OrgID, Prefix: in.Prefix,
				Status: in.Status, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &simsOutput{}
			out.Body.Items = []SIM{}
			for _, m := range list {
				out.Body.Items = append(out.Body.Items, SIM{ICCID: m.ICCID, OrgID: m.OrgID, Status: m.Status, UpdatedAt: m.UpdatedAt})
			}
			out.Body.NextCursor = next
			return out, nil
		})

	export := op("exportSIMs", http.MethodGet, "/api/v1/orgs/{org}/sims.csv", "Export an organization's SIMs as CSV", "SIMs")
	export.Description = "Cells that a spreadsheet would read as a formula are neutralised."
	export.Responses = map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}
	huma.Register(s.api, export, func(ctx context.Context, in *exportInput) (*csvOutput, error) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"iccid", "status", "updated_at"})
		err := s.app.ExportSIMs(ctx, actor(ctx), tenantry.SIMFilter{OrgID: in.OrgID, Prefix: in.Prefix, Status: in.Status},
			func(page []*tenantry.SIM) error {
				for _, m := range page {
					w.Write([]string{sims.SafeCell(m.ICCID), sims.SafeCell(m.Status), m.UpdatedAt.Format(time.RFC3339)})
				}
				return nil
			})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		w.Flush()
		return &csvOutput{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="sims.csv"`, Body: buf.Bytes()}, nil
	})

	tr := op("transferSIMs", http.MethodPost, "/api/v1/transfers", "Transfer SIMs between an organization and its parent or child", "SIMs")
	tr.Errors = append(tr.Errors, 409)
	tr.Description = "One SIM, one range or many ranges; all or nothing. A range is every SIM the source owns from start to end; " +
		"the other ICCIDs in it are reported as not_owned (never whether, or where, they exist) and stay. Child to child gets 403 transfer_not_allowed."
	huma.Register(s.api, tr, func(ctx context.Context, in *transferInput) (*transferOutput, error) {
		req := app.TransferRequest{From: in.Body.From, To: in.Body.To, DryRun: in.Body.DryRun, IdempotencyKey: in.IdempotencyKey}
		for _, r := range in.Body.Ranges {
			req.Ranges = append(req.Ranges, sims.Range{Start: strings.TrimSpace(r.Start), End: strings.TrimSpace(r.End)})
		}
		return s.transfer(ctx, req)
	})

	up := op("uploadTransfer", http.MethodPost, "/api/v1/transfers/upload", "Transfer SIMs listed in a .csv or .txt file", "SIMs")
	up.Errors = append(up.Errors, 409)
	up.Description = "Multipart field file: one START;END per line, ICCID;ICCID for one SIM, quotes optional, blank lines ignored. " +
		"Every wrong line is reported with its number and reason (the first 100 listed, with the count), and then nothing moves. " +
		"At most 10,000 lines (one range each, the limit of one transfer) and 8 MiB; the request at most 64 MiB (413 too_large)."
	huma.Register(s.api, up, func(ctx context.Context, in *uploadInput) (*transferOutput, error) {
		f := in.RawBody.Data().File
		ranges, lines, err := app.ReadTransferFile(f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.transfer(ctx, app.TransferRequest{From: in.From, To: in.To, DryRun: in.DryRun, Ranges: ranges, Lines: lines,
			IdempotencyKey: in.IdempotencyKey})
	})

	hist := op("simHistory", http.MethodGet, "/api/v1/sims/{iccid}", "A SIM with its history", "SIMs")
	hist.Description = "Where the SIM was loaded and every transfer that moved it, oldest first: when, by whom, from and to which " +
		"organization, the transfer's id and the range that held the SIM. Organizations and people outside the caller's are left unnamed."
	huma.Register(s.api, hist, func(ctx context.Context, in *simInput) (*simHistoryOutput, error) {
		sim, events, err := s.app.SIMHistory(ctx, actor(ctx), in.ICCID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &simHistoryOutput{}
		out.Body.SIM = SIM{ICCID: sim.ICCID, OrgID: sim.OrgID, Status: sim.Status, UpdatedAt: sim.UpdatedAt}
		out.Body.History = []SIMEvent{}
		for _, e := range events {
			h := SIMEvent{Kind: e.Kind, At: e.At, By: e.By, FromOrgID: e.FromID, FromOrgName: e.FromName, ToOrgID: e.ToID,
				ToOrgName: e.ToName, ID: e.TransferID, Count: e.Count}
			if e.Range.Start != "" {
				h.Range = &RangeBody{Start: e.Range.Start, End: e.Range.End}
			}
			out.Body.History = append(out.Body.History, h)
		}
		return out, nil
	})

	huma.Register(s.api, op("listTransfers", http.MethodGet, "/api/v1/orgs/{org}/transfers", "List an organization's transfers", "SIMs"),
		func(ctx context.Context, in *orgInput) (*transfersOutput, error) {
			list, err := s.app.Transfers(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &transfersOutput{}
			out.Body.Items = []Transfer{}
			for _, t := range list {
				it := Transfer{ID: t.ID, From: t.FromOrg, To: t.ToOrg, Moved: t.SIMCount, CreatedAt: t.CreatedAt}
				for _, r := range t.Ranges {
					it.Ranges = append(it.Ranges, RangeResult{Start: r.Start, End: r.End, Moved: r.Moved, NotOwned: r.NotOwned})
				}
				out.Body.Items = append(out.Body.Items, it)
			}
			return out, nil
		})
}

func (s *Server) transfer(ctx context.Context, req app.TransferRequest) (*transferOutput, error) {
	res, err := s.app.Transfer(ctx, actor(ctx), req)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &transferOutput{}
	out.Body.ID, out.Body.DryRun, out.Body.Moved = res.ID, res.DryRun, res.Moved
	for _, r := range res.Ranges {
		out.Body.Ranges = append(out.Body.Ranges, RangeResult{Start: r.Start, End: r.End, Line: r.Line, Moved: r.Moved, NotOwned: r.NotOwned})
	}
	return out, nil
}
