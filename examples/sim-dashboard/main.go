// Command sim-dashboard is an example application of a portal built on
// Tenantry: people sign in through Tenantry (OpenID Connect) and every
// page and action asks Tenantry (AuthZEN) first. See README.md beside it.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"

	"github.com/tenantry/tenantry/examples/sim-dashboard/dashboard"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:9090", "address to serve the dashboard on")
	flag.Parse()
	cfg := dashboard.Config{Issuer: os.Getenv("TENANTRY_URL"), ClientID: os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"), BaseURL: "http://" + *addr}
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" {
		log.Fatal("set TENANTRY_URL, CLIENT_ID and CLIENT_SECRET (see README.md)")
	}
	app, err := dashboard.New(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("SIM dashboard on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, app))
}
