//go:build linux && !cgo

package main

import (
	"context"
	"errors"
	"io"

	"github.com/cablecar-go/cablecar/examples/arena/game"
)

// window: Ebitengine needs cgo on Linux (GLFW and X11), so a build with
// CGO_ENABLED=0 plays headless only.
func window(context.Context, *game.Session, *config, io.Writer) error {
	return errors.New("built without cgo: no window on Linux (run with -headless, or build with CGO_ENABLED=1 and the X11/GL dev packages)")
}
