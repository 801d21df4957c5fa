package app

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/cpumon/internal/screen"
	"github.com/cablecar-go/cablecar/cpumon/internal/table"
)

const (
	minRedraw = 200 * time.Millisecond // a change is shown at most this late...
	maxRedraw = time.Second            // ...and the ages are refreshed this often
)

// view draws the host table on the terminal; a nil *view draws nothing.
type view struct {
	scr   *screen.Screen
	title string
	last  time.Time
	dirty bool
	// status, when set, is shown under the title while no other host is
	// seen (discovery's progress and, after a while, its likely problem).
	status func() string
}

func newView(scr *screen.Screen, o options) *view {
	mode := "native"
	if o.compat {
		mode = "cable_car compat"
	}
	if o.local {
		mode += ", this machine only"
	}
	return &view{scr: scr, title: "cpumon · every " + o.interval.String() + " · " + mode + " · Ctrl-C quits", dirty: true}
}

// changed asks for a redraw soon.
func (v *view) changed() {
	if v != nil {
		v.dirty = true
	}
}

// maybeDraw redraws when something changed (at most every minRedraw) or
// when the ages are due for a refresh. The caller expires old hosts first.
func (v *view) maybeDraw(hosts *table.Hosts, now time.Time) error {
	if v == nil {
		return nil
	}
	since := now.Sub(v.last)
	if !(v.dirty && since >= minRedraw) && since < maxRedraw {
		return nil
	}
	v.last, v.dirty = now, false
	rows := hosts.Rows(now)
	width, _ := v.scr.Size()
	title := v.title
	if n := len(rows); n == 1 {
		title = "1 host · " + title
	} else {
		title = strconv.Itoa(n) + " hosts · " + title
	}
	if utf8.RuneCountInString(title) > width {
		title = string([]rune(title)[:width-1]) + "…"
	}
	var b strings.Builder
	b.WriteString(title)
	if v.status != nil && len(rows) <= 1 {
		b.WriteString("\n" + v.status())
	}
	b.WriteString("\n\n")
	b.WriteString(table.Render(rows, width))
	return v.scr.Draw(b.String())
}
