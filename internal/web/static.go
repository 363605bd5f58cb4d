package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// asset is one of the portal's embedded files (stylesheet, script), as
// it is served: whole, and compressed once at start.
type asset struct {
	plain, gzipped []byte
	etag           string // of the plain content; -gz marks the compressed one
}

// assets are the embedded files by name, and the versioned link of each
// for the pages (?v= changes with the content, so they are cached for a
// year).
type assets struct {
	files map[string]asset
	links map[string]string
}

// loadAssets reads every file of fsys and compresses it: htmx goes out in
// 16 KB instead of 51 (the users tab's first load, issue 16), and no
// request pays for compressing it.
func loadAssets(fsys fs.FS) (*assets, error) {
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		return nil, err
	}
	a := &assets{files: map[string]asset{}, links: map[string]string{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		a.links[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		a.files[name] = asset{plain: b, gzipped: z.Bytes(), etag: hex.EncodeToString(sum[:12])}
	}
	return a, nil
}

// ServeHTTP serves /static/NAME: compressed to a client that accepts
// gzip, else as it is; ranges and conditional requests as
// http.ServeContent answers them.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Vary", "Accept-Encoding")
	body, etag := f.plain, f.etag
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		hdr.Set("Content-Encoding", "gzip")
		body, etag = f.gzipped, etag+"-gz"
	}
	// The name gives the content type; the content, not the time, its
	// validator.
	hdr.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads Accept-Encoding headers: gzip listed with a weight
// above 0, or else * so listed.
func acceptsGzip(headers []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip":
				gzipQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
