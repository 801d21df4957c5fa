module github.com/cablecar-go/cablecar/examples/chat

go 1.26.0

require (
	github.com/cablecar-go/cablecar v0.0.0
	github.com/cablecar-go/cablecar/relay v0.0.0
	github.com/nats-io/nats-server/v2 v2.15.2
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/antithesishq/antithesis-sdk-go v0.9.0-default-no-op // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/nats-io/jwt/v2 v2.8.3 // indirect
	github.com/nats-io/nats.go v1.55.0 // indirect
	github.com/nats-io/nkeys v0.4.17 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

// The library and the relay from this repository (the chat is released
// with them).
replace (
	github.com/cablecar-go/cablecar => ../..
	github.com/cablecar-go/cablecar/relay => ../../relay
)
