package message

// DefaultMaxFrame is the MaxFrame used when Options.MaxFrame is 0.
const DefaultMaxFrame = 1 << 20 // 1 MiB

// Options configure a codec. The zero value and a nil *Options are valid and
// give the defaults. A codec copies what it needs; it never changes or keeps
// the caller's struct.
type Options struct {
	// MaxFrame is the largest JSON line (newline included) or msgpack frame
	// (length prefix included), in bytes, that a codec encodes or decodes.
	// A longer one is refused with ErrTooLarge: on decode as soon as
	// MaxFrame bytes are buffered without a whole frame, and the stream is
	// then unusable. 0 (or less) means DefaultMaxFrame (1 MiB). The byte
	// codec ignores it: its frames are at most 255 bytes by construction.
	MaxFrame int
}

// maxFrame returns the effective MaxFrame of opts (which may be nil).
func (opts *Options) maxFrame() int {
	if opts == nil || opts.MaxFrame <= 0 {
		return DefaultMaxFrame
	}
	return opts.MaxFrame
}
