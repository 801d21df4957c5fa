// Package wire holds MsgStats, the message cpumon monitors send each other,
// with the field names, types and units of cable_car 1.0.1's cpu_mon example
// so that Go and Python monitors on one LAN understand each other.
//
// # Fields
//
// The cable_car fields, in the order the Python example builds them (and so
// the order of its JSON): host, cpu_percent, load_avg, memory_percent,
// memory_total, swap_percent, swap_total and temp (only when the machine has
// a CPU temperature sensor). Native cpumon peers add uptime, net_rx_rate,
// net_tx_rate, interval and gpus; [MsgStats.Compat] drops them for a Python
// peer.
//
// # Absent values
//
// Every figure is a [Float], [Uint] or [LoadAvg] that knows whether it is
// present. An absent figure is left out of the JSON object (Python's cpu_mon
// does the same with temp), and a field missing from a received object, or
// one with a value of the wrong JSON type, decodes as absent instead of
// rejecting the whole message: a display shows it blank. Fields this version
// does not know (from a newer peer) are ignored.
//
// # Number format
//
// Floats are written the way Python's json.dumps writes them (repr of a
// float: "3.0", not "3"; "1e-05"; "1e+16"), so a MsgStats encoded by the
// JSON codec in compat mode is byte for byte what the Python example sends
// for the same values. Non-finite floats, which Python would write as the
// non-JSON tokens NaN and Infinity, are written as null (absent). Host and
// GPU names are written by encoding/json: identical to Python's output for
// printable ASCII, which hostnames are.
package wire
