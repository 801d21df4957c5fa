//go:build !linux

package ifwatch

import "errors"

type impl struct{}

// New fails with errors.ErrUnsupported: there is no change notification
// here yet; callers poll the interface list.
func New() (*Watcher, error) { return nil, errors.ErrUnsupported }

func (impl) close() error { return nil }
