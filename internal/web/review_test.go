package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOwnerReviewsAccessInThePortal is issue 15's access reviews in the
// browser: the Owner starts a review from the Organisation tab, sees
// only what they may decide under "Mine to decide" (never their own
// role), revokes one role with a note and confirms another, closes the
// review, and downloads the evidence with the decisions in it.
func TestOwnerReviewsAccessInThePortal(t *testing.T) {
	s := newSite(t)
	s.person("rita@acme.example", "Rita", "read_only")
	s.person("uma@acme.example", "Uma", "user")
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "start a review from the Organisation tab",
		chromedp.Navigate(s.URL+"/orgs"),
		chromedp.WaitVisible(chromedp.CSS("#reviews-summary")),
		chromedp.Click(chromedp.CSS("#review-list")),
		chromedp.WaitVisible(chromedp.CSS("#start-review")),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Year-end review"),
		chromedp.Click(chromedp.CSS("#start-review")),
		chromedp.WaitVisible(chromedp.CSS("#review-items")),
	)
	if got := text(t, ctx, ".flash"); !strings.Contains(got, "The review is open") {
		t.Fatalf("flash %q", got)
	}
	if got := text(t, ctx, "h1"); !strings.Contains(got, "Year-end review") || !strings.Contains(got, "Open") {
		t.Fatalf("heading %q", got)
	}
	run(t, ctx, "show what is mine to decide",
		chromedp.Click(chromedp.CSS(`#review-filter a[href$="show=mine"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-filter a[aria-current="true"][href$="show=mine"]`)))
	mine := text(t, ctx, "#review-items")
	if !strings.Contains(mine, "rita@acme.example") || !strings.Contains(mine, "uma@acme.example") || strings.Contains(mine, "Olivia") {
		t.Fatalf("mine to decide:\n%s", mine)
	}
	row := func(login string) string {
		return "#" + value(t, ctx, "the row of "+login, chromedp.Evaluate[string](`[...document.querySelectorAll('#review-items tbody tr')].find(r => r.innerText.includes('`+login+`')).id`))
	}
	rita := row("rita@acme.example")
	run(t, ctx, "revoke Rita's role with a note",
		chromedp.SendKeys(chromedp.CSS(rita+` input[name="note"]`), "left the company"),
		chromedp.Click(chromedp.CSS(rita+` button[value="revoke"]`)),
		chromedp.WaitVisible(chromedp.CSS(rita+" .badge")))
	if got := text(t, ctx, rita); !strings.Contains(got, "only role, so the person is locked") || !strings.Contains(got, "left the company") ||
		!strings.Contains(got, "by olivia@acme.example") {
		t.Fatalf("Rita's row after revoking:\n%s", got)
	}
	uma := row("uma@acme.example")
	run(t, ctx, "confirm Uma's role",
		chromedp.Click(chromedp.CSS(uma+` button[value="confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(uma+" .badge")))
	if got := text(t, ctx, uma); !strings.Contains(got, "Confirmed") {
		t.Fatalf("Uma's row after confirming:\n%s", got)
	}
	shot(t, ctx, "access-review")
	run(t, ctx, "close the review",
		chromedp.Click(chromedp.CSS("#close-review")),
		chromedp.WaitNotPresent(chromedp.CSS("#close-review")))
	if got := text(t, ctx, "#review-state"); got != "Closed" {
		t.Fatalf("state %q", got)
	}
	if present(t, ctx, "#close-review") || present(t, ctx, `#review-items button[value="revoke"]`) {
		t.Fatal("a closed review still offers decisions")
	}
	csv := value(t, ctx, "the evidence", chromedp.Evaluate[string](`fetch(document.querySelector('#evidence-csv').href).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	if !strings.Contains(csv, "Year-end review") || !strings.Contains(csv, "rita@acme.example") || !strings.Contains(csv, "left the company,locked") {
		t.Fatalf("evidence:\n%s", csv)
	}
}
