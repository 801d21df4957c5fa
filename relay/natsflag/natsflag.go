// Package natsflag is the command-line side of package relay for
// programs that offer -relay URL: the NATS flags (-token, -nkey, -ca) and
// the relay.Relay made from them for the URL. cpumon and examples/chat
// (modules of their own, which link the relay) use it; a program of yours
// can too:
//
//	var f natsflag.Flags
//	f.Register(flag.CommandLine, true)
//	url := flag.String("relay", "", "NATS server URL")
//	flag.Parse()
//	tr, err := f.Relay(*url) // a room.Transport for room.Config.Transports
//
// It is a package of the relay module (not internal) so that programs in
// other modules can import it.
package natsflag

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/cablecar-go/cablecar/relay"
	"github.com/cablecar-go/cablecar/room"
)

// Usage is the help of the flags Register adds, in cpumon's usage style.
const Usage = `
Flags of the relay (with -relay):
  -token string
        NATS auth token (default none).
  -nkey file
        NATS NKey user seed file (default none).
  -ca file
        PEM file of the CA that signed the server's TLS certificate; turns
        TLS on (default: no TLS unless the URL is tls://).
`

// ErrNoCert is the error of a -ca file with no PEM certificate in it.
var ErrNoCert = errors.New("no PEM certificate")

// Flags are the values of -token, -nkey and -ca.
type Flags struct {
	Token, NKey, CA string
}

// Register adds -token, -nkey and -ca to fs; help is the help of each
// (empty for programs that print Usage themselves).
func (f *Flags) Register(fs *flag.FlagSet, help bool) {
	h := func(s string) string {
		if help {
			return s
		}
		return ""
	}
	fs.StringVar(&f.Token, "token", "", h("NATS auth `token` (default none)"))
	fs.StringVar(&f.NKey, "nkey", "", h("NATS NKey user seed `file` (default none)"))
	fs.StringVar(&f.CA, "ca", "", h("PEM `file` of the CA that signed the server's TLS certificate (turns TLS on;\n"+
		"default: no TLS unless the URL is tls://)"))
}

// Relay is the relay to the NATS server(s) at url with f's auth and TLS;
// the room it is given to starts and closes it.
func (f *Flags) Relay(url string) (room.Transport, error) {
	tc, err := tlsConfig(f.CA)
	if err != nil {
		return nil, err
	}
	return relay.New(&relay.Config{URL: url, Token: f.Token, NKeySeedFile: f.NKey, TLS: tc})
}

// tlsConfig trusts the CA in caFile; nil (the relay's default) for "".
func tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-ca %s: %w", caFile, ErrNoCert)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
