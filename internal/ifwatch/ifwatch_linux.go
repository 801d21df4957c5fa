//go:build linux

package ifwatch

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

type impl struct {
	f    *os.File
	once sync.Once
	err  error
}

// New opens an rtnetlink socket subscribed to link and IPv4 address
// changes of this network namespace, and starts reading it.
func New() (*Watcher, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("ifwatch: netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ifwatch: netlink bind: %w", err)
	}
	// A non-blocking descriptor goes to the runtime's poller: Read parks the
	// goroutine, and Close wakes it.
	c := make(chan struct{}, 1)
	w := &Watcher{C: c, c: c, impl: impl{f: os.NewFile(uintptr(fd), "rtnetlink")}, done: make(chan struct{})}
	go w.read()
	return w, nil
}

// read signals once per datagram read (each holds one or more messages of
// the subscribed groups) and once when the socket overflowed (ENOBUFS:
// changes were lost, so something changed).
func (w *Watcher) read() {
	defer close(w.done)
	buf := make([]byte, 1<<16)
	for {
		_, err := w.impl.f.Read(buf)
		switch {
		case err == nil, errors.Is(err, unix.ENOBUFS):
			w.signal()
		case errors.Is(err, os.ErrClosed):
			return
		default:
			w.signal() // unknown trouble: let the receiver look, then stop
			return
		}
	}
}

func (i *impl) close() error {
	i.once.Do(func() { i.err = i.f.Close() })
	return i.err
}
