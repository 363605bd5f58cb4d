package api_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestUploadsLeaveNoTemporaryFiles is issue 11's item 1: a 300 MB upload
// with no cookie was read, refused with 422, and left its temporary file
// behind. Uploads are refused before reading when signed out, bounded
// (413), and leave the temporary directory as they found it, signed in or
// not. Not parallel: it watches the process's temporary directory.
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFixture(t, sqltest.Backends()[0])
	body := func(size int) (*bytes.Buffer, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		part, _ := mw.CreateFormFile("file", "ranges.csv")
		part.Write(bytes.Repeat([]byte("not a range\n"), size/12))
		mw.Close()
		return &b, mw.FormDataContentType()
	}
	send := func(c *client, size int) (int, string) {
		b, ct := body(size)
		req, _ := http.NewRequest("POST", f.URL+"/api/v1/transfers/upload?"+f.path("from={A}&to={B}"), b)
		req.Header.Set("Content-Type", ct)
		res, err := (&http.Client{Jar: c.jar}).Do(req)
		if err != nil {
			return 0, err.Error() // the server may close the connection on a refused body
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(raw)
	}
	empty := func(when string) {
		t.Helper()
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Fatalf("%s: %d temporary files left, e.g. %s", when, len(left), left[0].Name())
		}
	}
	if status, raw := send(f.anon(), 3<<20); status != 401 && status != 0 {
		t.Fatalf("signed out: %d %s", status, raw)
	}
	empty("after a signed-out upload")
	if status, raw := send(f.clients["ownerA"], 3<<20); status != 422 {
		t.Fatalf("signed in: %d %.200s", status, raw)
	}
	empty("after a refused file")
	if status, raw := send(f.clients["ownerA"], 70<<20); status != 413 && status != 0 {
		t.Fatalf("too large: %d %.200s", status, raw)
	} else if status == 413 && !strings.Contains(raw, `"code":"too_large"`) {
		t.Fatalf("too large: %s", raw)
	}
	empty("after a file over the limit")
}
