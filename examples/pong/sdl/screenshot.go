package sdl

import (
	"fmt"
	"image"
	"image/png"
	"os"
)

// SavePNG writes img to path as a PNG file.
func SavePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sdl: screenshot: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("sdl: screenshot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sdl: screenshot: %w", err)
	}
	return nil
}
