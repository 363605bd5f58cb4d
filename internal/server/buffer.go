package server

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// bufferLimit is the largest response held back to be sent in one piece;
// a larger one (a CSV export) streams from there on.
const bufferLimit = 256 << 10

// bufferResponses sends each response that fits in bufferLimit at once,
// with its Content-Length. huma's encoder writes a users page of 50 (33 KB
// of JSON) piece by piece, which net/http sent chunked in three system
// calls (8 % of the page's CPU went to them); held, it leaves in two. A
// handler that sets Content-Length itself, flushes, or writes more
// streams as before.
func bufferResponses(next http.Handler) http.Handler {
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := pool.Get().(*bytes.Buffer)
		b := &bufferedWriter{ResponseWriter: w, buf: buf, head: r.Method == http.MethodHead}
		next.ServeHTTP(b, r)
		b.finish()
		if buf.Cap() <= 2*bufferLimit {
			buf.Reset()
			pool.Put(buf)
		}
	})
}

// bufferedWriter holds a response's status and body until the handler
// returns, or until it must stream.
type bufferedWriter struct {
	http.ResponseWriter
	buf       *bytes.Buffer
	status    int
	streaming bool
	// head says the request is a HEAD, whose handler may write no body
	// and so give no length (net/http then sends none either).
	head bool
}

func (b *bufferedWriter) WriteHeader(code int) {
	switch {
	case b.streaming || code < 200: // 1xx (103 Early Hints) go at once
		b.ResponseWriter.WriteHeader(code)
	case b.status == 0:
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.streaming {
		return b.ResponseWriter.Write(p)
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.buf.Len()+len(p) > bufferLimit || b.Header().Get("Content-Length") != "" {
		if err := b.stream(); err != nil {
			return 0, err
		}
		return b.ResponseWriter.Write(p)
	}
	return b.buf.Write(p)
}

// Flush sends what is held and streams the rest of the response.
func (b *bufferedWriter) Flush() {
	if !b.streaming {
		_ = b.stream()
	}
	_ = http.NewResponseController(b.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (b *bufferedWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// stream sends the status and the body held so far, and passes every
// later write through.
func (b *bufferedWriter) stream() error {
	b.streaming = true
	if b.status != 0 {
		b.ResponseWriter.WriteHeader(b.status)
	}
	if b.buf.Len() == 0 {
		return nil
	}
	_, err := b.ResponseWriter.Write(b.buf.Bytes())
	return err
}

// finish sends a response still held, with its length.
func (b *bufferedWriter) finish() {
	if b.streaming || b.status == 0 {
		return // streamed, or nothing written: net/http answers 200
	}
	if b.status != http.StatusNoContent && b.status != http.StatusNotModified && b.Header().Get("Content-Length") == "" &&
		(b.buf.Len() > 0 || !b.head) {
		b.Header().Set("Content-Length", strconv.Itoa(b.buf.Len()))
	}
	_ = b.stream()
}
