package table

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// The cell formats. An absent figure is a blank cell.

// fmtPercent: "12.5".
func fmtPercent(f wire.Float) string {
	if !f.Valid || !finite(f.V) {
		return ""
	}
	return strconv.FormatFloat(f.V, 'f', 1, 64)
}

// fmtWholePercent: "43%".
func fmtWholePercent(f wire.Float) string {
	if !f.Valid || !finite(f.V) {
		return ""
	}
	return strconv.FormatFloat(math.Round(f.V), 'f', 0, 64) + "%"
}

// fmtBytes: binary units, "512B", "15.5G", "123G", "2.0T".
func fmtBytes(u wire.Uint) string {
	if !u.Valid {
		return ""
	}
	const units = "BKMGTPE"
	v := float64(u.V)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(u.V, 10) + "B"
	}
	if v < 99.95 {
		return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + units[i:i+1]
}

// fmtShare: a percentage and a total, "43% 15.5G"; either may be blank.
func fmtShare(pct wire.Float, total wire.Uint) string {
	p, t := fmtWholePercent(pct), fmtBytes(total)
	if p == "" || t == "" {
		return p + t
	}
	return p + " " + t
}

// fmtLoad: "0.52 0.40 0.31", or the 1-minute figure alone when short.
func fmtLoad(l wire.LoadAvg, short bool) string {
	if short {
		return fmtFixed2(l[0])
	}
	if l.IsZero() {
		return ""
	}
	s := ""
	for i, f := range l {
		if i > 0 {
			s += " "
		}
		if c := fmtFixed2(f); c != "" {
			s += c
		} else {
			s += "-"
		}
	}
	return s
}

func fmtFixed2(f wire.Float) string {
	if !f.Valid || !finite(f.V) {
		return ""
	}
	return strconv.FormatFloat(f.V, 'f', 2, 64)
}

// fmtTemp: "48°C".
func fmtTemp(f wire.Float) string {
	if !f.Valid || !finite(f.V) {
		return ""
	}
	return strconv.FormatFloat(math.Round(f.V), 'f', 0, 64) + "°C"
}

// fmtGPUSummary: one GPU, its utilisation ("45%"); several, their number
// and mean utilisation ("2×45%"); a GPU without a utilisation figure is
// left out of the mean.
func fmtGPUSummary(gpus []wire.GPU) string {
	if len(gpus) == 0 {
		return ""
	}
	sum, n := 0.0, 0
	for _, g := range gpus {
		if g.UtilPercent.Valid && finite(g.UtilPercent.V) {
			sum += g.UtilPercent.V
			n++
		}
	}
	util := ""
	if n > 0 {
		util = fmtWholePercent(wire.F(sum / float64(n)))
	}
	if len(gpus) == 1 {
		if util == "" {
			return "1"
		}
		return util
	}
	return strconv.Itoa(len(gpus)) + "×" + util
}

// fmtGPUMem: "12.0G/80.0G".
func fmtGPUMem(g wire.GPU) string {
	used, total := fmtBytes(g.MemUsed), fmtBytes(g.MemTotal)
	if used == "" && total == "" {
		return ""
	}
	return used + "/" + total
}

// fmtRTT: "-" when unknown, "0.25ms", "12ms", "1.2s".
func fmtRTT(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	case d < time.Second:
		return strconv.Itoa(int(d/time.Millisecond)) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// fmtAge: "0s", "12s", "3m", "2h", "4d".
func fmtAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

// truncate shortens s to at most n runes, ending in "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
