package wire

// MsgStats is one machine's stats at one moment. It implements
// message.Message; register it with the JSON codec under its cable_car
// class name with
//
//	func() message.Message { return new(wire.MsgStats) }
//
// The first eight fields are cable_car 1.0.1's cpu_mon fields, in its
// order; the rest are cpumon's native extras, left out by Compat.
type MsgStats struct {
	// Host is the machine's hostname (Python: socket.gethostname()).
	Host string `json:"host"`
	// CPUPercent is the CPU busy time over the last interval, all cores
	// together, 0..100 (psutil.cpu_percent()).
	CPUPercent Float `json:"cpu_percent,omitzero"`
	// LoadAvg is the 1, 5 and 15 minute load averages (psutil.getloadavg()).
	LoadAvg LoadAvg `json:"load_avg,omitzero"`
	// MemoryPercent is the share of memory in use, 0..100, computed as
	// psutil does: (total - available) / total.
	MemoryPercent Float `json:"memory_percent,omitzero"`
	// MemoryTotal is the physical memory in bytes.
	MemoryTotal Uint `json:"memory_total,omitzero"`
	// SwapPercent is the share of swap in use, 0..100 (0 when there is none).
	SwapPercent Float `json:"swap_percent,omitzero"`
	// SwapTotal is the swap space in bytes (0 when there is none).
	SwapTotal Uint `json:"swap_total,omitzero"`
	// Temp is the CPU temperature in °C; absent when the machine has no CPU
	// temperature sensor (Python: the first "coretemp" sensor).
	Temp Float `json:"temp,omitzero"`

	// Native extras, not in cable_car's cpu_mon.

	// Uptime is the time since boot, in seconds.
	Uptime Uint `json:"uptime,omitzero"`
	// NetRxRate and NetTxRate are the bytes per second received and sent
	// over the last interval, all interfaces but loopback together.
	NetRxRate Float `json:"net_rx_rate,omitzero"`
	NetTxRate Float `json:"net_tx_rate,omitzero"`
	// Interval is the sender's interval between two samples, in seconds; a
	// receiver uses it to tell when the sender has gone quiet.
	Interval Float `json:"interval,omitzero"`
	// GPUs lists the machine's GPUs; empty when it has none or none can be
	// read.
	GPUs []GPU `json:"gpus,omitempty"`
}

// GPU is one GPU's state.
type GPU struct {
	// Name is the product name, e.g. "NVIDIA H100 80GB HBM3".
	Name string `json:"name"`
	// UtilPercent is the share of time a kernel was running over the last
	// sample period, 0..100.
	UtilPercent Float `json:"util_percent,omitzero"`
	// MemUsed and MemTotal are the GPU memory in use and in all, in bytes.
	MemUsed  Uint `json:"mem_used,omitzero"`
	MemTotal Uint `json:"mem_total,omitzero"`
	// Temp is the GPU core temperature in °C.
	Temp Float `json:"temp,omitzero"`
}

// MessageName returns "MsgStats", the class name of cable_car's cpu_mon.
func (*MsgStats) MessageName() string { return "MsgStats" }

// Compat returns a copy of m with only cable_car 1.0.1's fields, for a
// Python cpu_mon peer.
func (m *MsgStats) Compat() *MsgStats {
	return &MsgStats{
		Host:          m.Host,
		CPUPercent:    m.CPUPercent,
		LoadAvg:       m.LoadAvg,
		MemoryPercent: m.MemoryPercent,
		MemoryTotal:   m.MemoryTotal,
		SwapPercent:   m.SwapPercent,
		SwapTotal:     m.SwapTotal,
		Temp:          m.Temp,
	}
}
