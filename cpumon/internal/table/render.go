package table

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// DefaultWidth is the width Render uses when given 0 or less.
	DefaultWidth = 80
	// MinWidth is the narrowest layout; a smaller width is raised to it.
	MinWidth = 40

	gap          = 2  // spaces between columns
	hostMinWidth = 12 // a host name is cut no shorter than this while columns can still shrink
	lastHostMin  = 6  // ... and no shorter than this at all
	maxGPUsShown = 16 // GPU lines per host; more are summed up in one line
	gpuHostWidth = 16 // host names are cut to this in GPU lines, leaving room for the GPU name
)

// column is one table column: a header and one cell per row.
type column struct {
	header string
	right  bool // right-aligned (numbers)
	cells  []string
}

// Render returns the host table for rows (as from Hosts.Rows): one line per
// host with host name, CPU %, load averages, memory and swap (percent and
// total), CPU temperature, GPUs and the age of the last update ("gone" for
// a host that left); then, when some host has GPUs, one line per GPU. Each
// line ends in "\n" and is at most width runes wide (DefaultWidth when
// width <= 0, MinWidth at least). On a narrow terminal long host names are
// cut with "…" first, then columns are compacted (load: 1 minute only;
// swap: percent only) and dropped (swap, load, GPU summary, temperature).
// Columns that no host fills (temperature, GPUs, RTT: only native peers have one) are left out. With no rows it returns the
// header line alone.
func Render(rows []Row, width int) string {
	if width <= 0 {
		width = DefaultWidth
	}
	width = max(width, MinWidth)
	var b strings.Builder
	renderHosts(&b, rows, width)
	renderGPUs(&b, rows, width)
	return b.String()
}

// hostLevels are the successive compactions of the host table.
var hostLevels = []level{
	{},
	{shortLoad: true},
	{shortLoad: true, shortSwap: true},
	{shortLoad: true, noSwap: true},
	{noLoad: true, noSwap: true},
	{noLoad: true, noSwap: true, noGPU: true},
	{noLoad: true, noSwap: true, noGPU: true, noRTT: true},
	{noLoad: true, noSwap: true, noGPU: true, noRTT: true, noTemp: true},
}

// level says which columns are compacted or left out.
type level struct{ shortLoad, shortSwap, noSwap, noLoad, noGPU, noRTT, noTemp bool }

func renderHosts(b *strings.Builder, rows []Row, width int) {
	for i, lv := range hostLevels {
		last := i == len(hostLevels)-1
		cols := hostColumns(rows, lv)
		minHost := hostMinWidth
		if last {
			minHost = lastHostMin
		}
		if layout(b, cols, width, minHost, last) {
			return
		}
	}
}

func hostColumns(rows []Row, lv level) []column {
	host := column{header: "HOST"}
	cpu := column{header: "CPU%", right: true}
	load := column{header: "LOAD 1/5/15", right: true}
	if lv.shortLoad {
		load.header = "LOAD"
	}
	mem := column{header: "MEM", right: true}
	swap := column{header: "SWAP", right: true}
	temp := column{header: "TEMP", right: true}
	gpu := column{header: "GPU", right: true}
	rtt := column{header: "RTT", right: true}
	age := column{header: "AGE", right: true}
	anyTemp, anyGPU, anyRTT := false, false, false
	for _, r := range rows {
		m := r.Stats
		name := m.Host
		if name == "" {
			name = r.Key
		}
		host.cells = append(host.cells, oneLine(name))
		cpu.cells = append(cpu.cells, fmtPercent(m.CPUPercent))
		load.cells = append(load.cells, fmtLoad(m.LoadAvg, lv.shortLoad))
		mem.cells = append(mem.cells, fmtShare(m.MemoryPercent, m.MemoryTotal))
		if lv.shortSwap {
			swap.cells = append(swap.cells, fmtWholePercent(m.SwapPercent))
		} else {
			swap.cells = append(swap.cells, fmtShare(m.SwapPercent, m.SwapTotal))
		}
		temp.cells = append(temp.cells, fmtTemp(m.Temp))
		anyTemp = anyTemp || m.Temp.Valid
		gpu.cells = append(gpu.cells, fmtGPUSummary(m.GPUs))
		anyGPU = anyGPU || len(m.GPUs) > 0
		rtt.cells = append(rtt.cells, fmtRTT(r.RTT))
		anyRTT = anyRTT || r.RTT > 0
		if r.Gone {
			age.cells = append(age.cells, "gone")
		} else {
			age.cells = append(age.cells, fmtAge(r.Age))
		}
	}
	cols := []column{host, cpu}
	if !lv.noLoad {
		cols = append(cols, load)
	}
	cols = append(cols, mem)
	if !lv.noSwap {
		cols = append(cols, swap)
	}
	if anyTemp && !lv.noTemp {
		cols = append(cols, temp)
	}
	if anyGPU && !lv.noGPU {
		cols = append(cols, gpu)
	}
	if anyRTT && !lv.noRTT {
		cols = append(cols, rtt)
	}
	return append(cols, age)
}

func renderGPUs(b *strings.Builder, rows []Row, width int) {
	// Host names in full when the lines fit, else cut to gpuHostWidth to
	// leave room for the GPU names.
	cols := gpuColumns(rows, -1)
	if len(cols[0].cells) == 0 {
		return
	}
	b.WriteByte('\n')
	if layout(b, cols, width, maxRunes(cols[0]), false) {
		return
	}
	layout(b, gpuColumns(rows, gpuHostWidth), width, lastHostMin, true)
}

// gpuColumns builds the GPU table, host names cut to hostCap runes
// (hostCap < 0: not cut).
func gpuColumns(rows []Row, hostCap int) []column {
	name := column{header: "GPU"}
	util := column{header: "UTIL", right: true}
	mem := column{header: "MEM", right: true}
	temp := column{header: "TEMP", right: true}
	add := func(n, u, m, t string) {
		name.cells = append(name.cells, n)
		util.cells = append(util.cells, u)
		mem.cells = append(mem.cells, m)
		temp.cells = append(temp.cells, t)
	}
	for _, r := range rows {
		host := r.Stats.Host
		if host == "" {
			host = r.Key
		}
		host = oneLine(host)
		if hostCap >= 0 {
			host = truncate(host, hostCap)
		}
		for i, g := range r.Stats.GPUs {
			if i == maxGPUsShown {
				add(host+" +"+strconv.Itoa(len(r.Stats.GPUs)-i)+" more", "", "", "")
				break
			}
			label := host + " #" + strconv.Itoa(i)
			if g.Name != "" {
				label += " " + oneLine(g.Name)
			}
			add(label, fmtWholePercent(g.UtilPercent), fmtGPUMem(g), fmtTemp(g.Temp))
		}
	}
	return []column{name, util, mem, temp}
}

func maxRunes(c column) int {
	n := 0
	for _, s := range c.cells {
		n = max(n, utf8.RuneCountInString(s))
	}
	return n
}

// layout writes cols as aligned lines of at most width runes, cutting the
// first column's cells with "…" as needed but not below minFirst runes.
// When that is not enough it writes nothing and returns false, unless
// force is set: then it cuts the lines themselves at width.
func layout(b *strings.Builder, cols []column, width, minFirst int, force bool) bool {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c.header)
		for _, s := range c.cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	rest := 0
	for _, w := range widths[1:] {
		rest += gap + w
	}
	room := width - rest
	if widths[0] > room {
		if room < minFirst && !force {
			return false
		}
		widths[0] = max(room, min(minFirst, widths[0]))
	}
	line := func(cell func(c column) string) {
		var l strings.Builder
		for i, c := range cols {
			s := cell(c)
			if i == 0 {
				s = truncate(s, widths[0])
			}
			pad := widths[i] - utf8.RuneCountInString(s)
			if i > 0 {
				l.WriteString("  ")
			}
			if c.right {
				l.WriteString(strings.Repeat(" ", pad))
				l.WriteString(s)
			} else {
				l.WriteString(s)
				l.WriteString(strings.Repeat(" ", pad))
			}
		}
		out := strings.TrimRight(l.String(), " ")
		b.WriteString(truncate(out, width))
		b.WriteByte('\n')
	}
	line(func(c column) string { return c.header })
	for r := range cols[0].cells {
		line(func(c column) string { return c.cells[r] })
	}
	return true
}

// oneLine replaces control characters (a peer's host name could hold a
// newline or an escape sequence) with "?", so a name cannot break the
// table or the terminal.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}
