// Command cpumon is cpumon (package cpumon/app, the same program, flags
// and output) with -relay: monitors on machines that share no LAN find
// each other through a NATS server. It lives in the relay module so that
// the core module does not depend on NATS.
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2     # on a host every machine reaches
//	go run ./relay/cmd/cpumon -relay nats://HOST:4222    # on each machine
//
// The room's transports are the relay and the LAN (a monitor reached both
// ways is one row); -lan=false is the relay only. -password runs the PAKE
// and sealed records end to end through the server, which sees
// ciphertext and subject names only. -token, -nkey and -ca are NATS's own
// auth and TLS to the server. Without -relay it is the plain cpumon.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/cpumon/app"
	"github.com/cablecar-go/cablecar/relay"
	"github.com/cablecar-go/cablecar/room"
)

const usage = `
Flags of the relay (with -relay):
  -token string
        NATS auth token (default none).
  -nkey file
        NATS NKey user seed file (default none).
  -ca file
        PEM file of the CA that signed the server's TLS certificate; turns
        TLS on (default: no TLS unless the URL is tls://).
`

// natsFlags are the relay's own flags.
type natsFlags struct {
	token, nkey, ca string
}

// ext is the app.Ext that wires -relay to package relay with f's auth.
func (f *natsFlags) ext() *app.Ext {
	return &app.Ext{
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.token, "token", "", "")
			fs.StringVar(&f.nkey, "nkey", "", "")
			fs.StringVar(&f.ca, "ca", "", "")
		},
		Usage: usage,
		Relay: func(url string) (room.Transport, error) {
			tc, err := tlsConfig(f.ca)
			if err != nil {
				return nil, err
			}
			return relay.New(&relay.Config{URL: url, Token: f.token, NKeySeedFile: f.nkey, TLS: tc})
		},
	}
}

// tlsConfig is the TLS configuration that trusts the CA in caFile; nil
// (the relay's default) for "".
func tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	var f natsFlags
	os.Exit(app.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, f.ext()))
}
