package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOwnerImportsPeopleFromAFile is issue 16's bulk import in the
// portal: from the Users tab the Owner uploads a spreadsheet's CSV; a
// file with a bad line creates nobody and lists the problem by line; the
// mended file creates everyone, and the Users tab says how many.
func TestOwnerImportsPeopleFromAFile(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	os.WriteFile(bad, []byte("email;first_name;last_name;roles\nkim@acme.example;Kim;Kurz;user\nlea@acme.example;Lea;Lang;boss\n"), 0o600)
	os.WriteFile(good, []byte("email;first_name;last_name;roles\nkim@acme.example;Kim;Kurz;user\nlea@acme.example;Lea;Lang;read_only\n"), 0o600)
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "open the import page from the Users tab",
		chromedp.Navigate(s.URL+"/users"),
		chromedp.WaitVisible(chromedp.CSS("#import-users")),
		chromedp.Click(chromedp.CSS("#import-users")),
		chromedp.WaitVisible(chromedp.CSS("#import-start")),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#import-start")),
		chromedp.WaitVisible(chromedp.CSS("#import-problems")))
	if got := text(t, ctx, "#import-problems"); !strings.Contains(got, "Line 3") || !strings.Contains(got, `"boss" is not a role`) {
		t.Fatalf("problems:\n%s", got)
	}
	run(t, ctx, "upload the mended file",
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{good}),
		chromedp.Click(chromedp.CSS("#import-start")),
		chromedp.WaitVisible(chromedp.CSS("#import-users")))
	if got := text(t, ctx, ".flash"); !strings.Contains(got, "2 people created") {
		t.Fatalf("flash %q", got)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "Kurz") || !strings.Contains(got, "Lang") {
		t.Fatalf("the users list:\n%s", got)
	}
}
