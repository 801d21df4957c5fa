package relay

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// refused checks that a relay with cfg cannot start a Room: ErrConnect.
func refused(t *testing.T, url string, cfg Config) {
	t.Helper()
	cfg.URL = url
	rl, err := New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := room.New(ctx, &room.Config{Transports: []room.Transport{rl}}); !errors.Is(err, ErrConnect) {
		t.Fatalf("New with %+v: %v", cfg, err)
	}
}

// NKey authentication: the user's seed file signs the server's nonce.
func TestNKeyAuth(t *testing.T) {
	leakcheck.Check(t)
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	file := filepath.Join(t.TempDir(), "user.nk")
	if err := os.WriteFile(file, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })
	refused(t, s.ClientURL(), Config{})
	a := newMember(t, s.ClientURL(), &Config{NKeySeedFile: file}, nil)
	b := newMember(t, s.ClientURL(), &Config{NKeySeedFile: file}, nil)
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
}

// TLS to the server, with a private CA in Config.TLS.RootCAs; a client
// that does not trust the CA is refused.
func TestTLS(t *testing.T) {
	leakcheck.Check(t)
	cert, pool := selfSigned(t)
	s := startServer(t, func(o *server.Options) {
		o.TLS = true
		o.TLSTimeout = 5
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	refused(t, s.ClientURL(), Config{TLS: &tls.Config{MinVersion: tls.VersionTLS12}}) // unknown CA
	good := &Config{TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	a := newMember(t, s.ClientURL(), good, nil)
	b := newMember(t, s.ClientURL(), good, nil)
	until(t, "a and b over TLS", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	if !a.relay.nc.TLSRequired() {
		t.Fatal("not TLS")
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relay test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
