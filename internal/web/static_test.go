package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/server/servertest"
)

// TestStaticFilesGoOutCompressed: the script and stylesheet go out
// gzipped to a browser that accepts it, whole to one that does not, and a
// browser that has them is told they have not changed.
func TestStaticFilesGoOutCompressed(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	fetch := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}

	res, plain := fetch("/static/htmx.min.js")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || !bytes.Contains(plain, []byte("htmx")) {
		t.Fatalf("without Accept-Encoding: %d, encoding %q, %d bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(plain))
	}
	res, packed := fetch("/static/htmx.min.js", "Accept-Encoding", "gzip, deflate, br, zstd")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("a browser's request: encoding %q, Vary %q, type %q", res.Header.Get("Content-Encoding"),
			res.Header.Get("Vary"), res.Header.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unpacked, plain) {
		t.Fatalf("the compressed script does not unpack to the script (%v)", err)
	}
	if len(packed)*100/len(plain) > 40 {
		t.Errorf("compressed to %d of %d bytes", len(packed), len(plain))
	}
	t.Logf("htmx: %d bytes, %d gzipped", len(plain), len(packed))

	if res, body := fetch("/static/app.css", "Accept-Encoding", "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" ||
		!bytes.Contains(body, []byte("{")) {
		t.Errorf("gzip refused with q=0: encoding %q", res.Header.Get("Content-Encoding"))
	}
	res, _ = fetch("/static/app.css", "Accept-Encoding", "gzip")
	if res, _ := fetch("/static/app.css", "Accept-Encoding", "gzip", "If-None-Match", res.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the file's ETag: %d, want 304", res.StatusCode)
	}
	if res, _ := fetch("/static/nothing.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a file that is not there: %d", res.StatusCode)
	}
}
