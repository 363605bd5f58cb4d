package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestBufferResponses: a response that fits is sent whole with its
// length (a HEAD's too); a larger one, or one its handler flushes,
// streams in chunks as before; a handler's own Content-Length, a 204 and
// a HEAD answered without a body pass through as net/http sends them.
func TestBufferResponses(t *testing.T) {
	flushed := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		for range 10 {
			io.WriteString(w, strings.Repeat("x", 3000)) // 30 KB in pieces, as an encoder writes
		}
	})
	mux.HandleFunc("/large", func(w http.ResponseWriter, r *http.Request) {
		for range 100 {
			io.WriteString(w, strings.Repeat("y", 3000))
		}
	})
	mux.HandleFunc("/flushed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
		<-flushed // the client has the first line before the handler ends
		io.WriteString(w, "second\n")
	})
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "sized")
	})
	mux.HandleFunc("/bare", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(bufferResponses(mux))
	defer srv.Close()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}
	res, body := get("/small")
	if res.StatusCode != http.StatusCreated || res.ContentLength != 30000 || len(res.TransferEncoding) != 0 ||
		body != strings.Repeat("x", 30000) || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("small: %d, length %d, transfer %v, %d bytes, %q", res.StatusCode, res.ContentLength, res.TransferEncoding, len(body), res.Header.Get("Content-Type"))
	}
	res, body = get("/large")
	if res.StatusCode != http.StatusOK || res.ContentLength != -1 || body != strings.Repeat("y", 300000) {
		t.Errorf("large: %d, length %d, %d bytes", res.StatusCode, res.ContentLength, len(body))
	}
	res, body = get("/sized")
	if res.ContentLength != 5 || body != "sized" {
		t.Errorf("sized: length %d, %q", res.ContentLength, body)
	}
	head, err := http.Head(srv.URL + "/small")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.ContentLength != 30000 {
		t.Errorf("HEAD of small: length %d", head.ContentLength)
	}
	if head, err = http.Head(srv.URL + "/bare"); err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != http.StatusOK || head.ContentLength != -1 {
		t.Errorf("HEAD whose handler writes no body: %d, length %d, as net/http gives", head.StatusCode, head.ContentLength)
	}
	res, body = get("/empty")
	if res.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("empty: %d, %q", res.StatusCode, body)
	}

	res, err = http.Get(srv.URL + "/flushed")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make([]byte, len("first\n"))
	if _, err := io.ReadFull(res.Body, first); err != nil || string(first) != "first\n" {
		t.Fatalf("flushed: first line %q, %v", first, err)
	}
	close(flushed)
	rest, _ := io.ReadAll(res.Body)
	if string(rest) != "second\n" || res.ContentLength != -1 {
		t.Errorf("flushed: rest %q, length %s", rest, strconv.FormatInt(res.ContentLength, 10))
	}
}
