package table

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// Defaults of Config.
const (
	DefaultStaleAfter = 10 * time.Second
	DefaultLinger     = 30 * time.Second
)

// Config configures Hosts. The zero value and nil are valid.
type Config struct {
	// StaleAfter is how long a host may stay silent before it is marked
	// gone. A host that announces its interval (native peers) is given at
	// least three intervals. Default DefaultStaleAfter (10 s).
	StaleAfter time.Duration
	// Linger is how long a gone host stays in the table, marked, before it
	// is dropped. Default DefaultLinger (30 s).
	Linger time.Duration
}

// Hosts is the latest stats of each peer, keyed by a string the caller
// chooses to tell peers apart (a peer id or an address: two cpumon
// processes on one machine share a host name). It is not safe for
// concurrent use: one goroutine (the program's main loop) owns it.
type Hosts struct {
	staleAfter time.Duration
	linger     time.Duration
	entries    map[string]*entry
}

type entry struct {
	stats        *wire.MsgStats
	seen         time.Time // last Update
	disconnected bool
	goneAt       time.Time     // when Disconnected was called
	rtt          time.Duration // SetRTT's; 0 if none
}

// Row is one host in the table.
type Row struct {
	Key   string
	Stats *wire.MsgStats // never nil
	Age   time.Duration  // since the last update
	Gone  bool           // disconnected, or silent for longer than allowed
	RTT   time.Duration  // round trip to the host (SetRTT); 0 if unknown
}

// NewHosts returns an empty Hosts.
func NewHosts(cfg *Config) *Hosts {
	h := &Hosts{staleAfter: DefaultStaleAfter, linger: DefaultLinger, entries: map[string]*entry{}}
	if cfg != nil {
		if cfg.StaleAfter > 0 {
			h.staleAfter = cfg.StaleAfter
		}
		if cfg.Linger > 0 {
			h.linger = cfg.Linger
		}
	}
	return h
}

// Update records the latest stats of the peer key, received at now; it
// clears a gone mark. Hosts keeps m: the caller must not change it later.
// A nil m is ignored.
func (h *Hosts) Update(key string, m *wire.MsgStats, now time.Time) {
	if m == nil {
		return
	}
	e := &entry{stats: m, seen: now}
	if old := h.entries[key]; old != nil {
		e.rtt = old.rtt
	}
	h.entries[key] = e
}

// SetRTT records the round trip to the peer key (a native peer's
// Messenger measures it); 0 means unknown. Unknown keys are ignored.
func (h *Hosts) SetRTT(key string, rtt time.Duration) {
	if e, ok := h.entries[key]; ok {
		e.rtt = max(rtt, 0)
	}
}

// Disconnected marks the peer key gone at now (its connection closed). It
// stays in the table, marked, for Linger. Unknown keys are ignored.
func (h *Hosts) Disconnected(key string, now time.Time) {
	if e, ok := h.entries[key]; ok && !e.disconnected {
		e.disconnected, e.goneAt = true, now
	}
}

// Remove forgets the peer key at once.
func (h *Hosts) Remove(key string) { delete(h.entries, key) }

// Len returns the number of hosts held, gone ones included.
func (h *Hosts) Len() int { return len(h.entries) }

// staleAfter returns how long e may stay silent.
func (h *Hosts) staleAfterOf(e *entry) time.Duration {
	d := h.staleAfter
	if iv := e.stats.Interval; iv.Valid && iv.V > 0 && iv.V < 3600 {
		d = max(d, 3*time.Duration(iv.V*float64(time.Second)))
	}
	return d
}

// goneSince reports whether e is gone at now and since when.
func (h *Hosts) goneSince(e *entry, now time.Time) (time.Time, bool) {
	if e.disconnected {
		return e.goneAt, true
	}
	staleAt := e.seen.Add(h.staleAfterOf(e))
	return staleAt, now.After(staleAt)
}

// Expire drops the hosts that have been gone for longer than Linger at
// now and returns their keys (nil when none), sorted.
func (h *Hosts) Expire(now time.Time) []string {
	var dropped []string
	for k, e := range h.entries {
		if since, gone := h.goneSince(e, now); gone && now.Sub(since) > h.linger {
			delete(h.entries, k)
			dropped = append(dropped, k)
		}
	}
	slices.Sort(dropped)
	return dropped
}

// Rows returns every host held at now, gone ones marked, sorted by host
// name (case-insensitively) then key. Call Expire first to drop old ones.
func (h *Hosts) Rows(now time.Time) []Row {
	rows := make([]Row, 0, len(h.entries))
	for k, e := range h.entries {
		_, gone := h.goneSince(e, now)
		rows = append(rows, Row{Key: k, Stats: e.stats, Age: max(0, now.Sub(e.seen)), Gone: gone, RTT: e.rtt})
	}
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.Stats.Host), strings.ToLower(b.Stats.Host)),
			cmp.Compare(a.Stats.Host, b.Stats.Host),
			cmp.Compare(a.Key, b.Key))
	})
	return rows
}
