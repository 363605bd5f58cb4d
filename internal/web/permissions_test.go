package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWhatCanThisPersonDoHere is issue 14's item 3 in the portal: the
// Owner opens a Read Only person's page and reads, for every action of
// the catalogue, whether they may and why, in words.
func TestWhatCanThisPersonDoHere(t *testing.T) {
	s := newSite(t)
	ro := s.person("rita@acme.example", "Rita", "read_only")
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "open Rita's page", chromedp.Navigate(s.URL+"/users/"+ro.ID), chromedp.WaitVisible(chromedp.CSS("#permission-table")))
	table := text(t, ctx, "#permission-table")
	for _, want := range []string{
		"Users · See all\t✓\tAllowed by a role: rita@acme.example holds read_only in Acme IoT",
		"Organisation · Sim transfer\t–\tNo role allows it: no role of rita@acme.example in Acme IoT allows organisation.sim_transfer",
	} {
		// Row headers are upper case on screen; the words are what count.
		if !strings.Contains(strings.ToLower(table), strings.ToLower(want)) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	shot(t, ctx, "user-permissions")
}
