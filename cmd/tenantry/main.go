// Command tenantry runs Tenantry: the server, migrations and bootstrap.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tenantry/tenantry/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
