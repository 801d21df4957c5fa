module github.com/cablecar-go/cablecar/examples/arena

go 1.26.0

require (
	github.com/cablecar-go/cablecar v0.0.0
	github.com/hajimehoshi/ebiten/v2 v2.8.8
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/ebitengine/gomobile v0.0.0-20240911145611-4856209ac325 // indirect
	github.com/ebitengine/hideconsole v1.0.0 // indirect
	github.com/ebitengine/purego v0.11.3 // indirect
	github.com/jezek/xgb v1.1.1 // indirect
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/cablecar-go/cablecar => ../..
