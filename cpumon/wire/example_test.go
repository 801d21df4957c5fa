package wire_test

import (
	"fmt"
	"os"

	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
)

// A native sample and the same sample for a Python cpu_mon peer, as the
// JSON codec writes them.
func ExampleMsgStats_Compat() {
	codec := message.NewJSONCodec(nil)
	codec.Register(func() message.Message { return new(wire.MsgStats) })

	m := &wire.MsgStats{
		Host:          "alpha",
		CPUPercent:    wire.F(12.5),
		LoadAvg:       wire.LoadAvg{wire.F(0.52), wire.F(0.4), wire.F(0.31)},
		MemoryPercent: wire.F(43.2),
		MemoryTotal:   wire.U(16651128832),
		SwapPercent:   wire.F(0),
		SwapTotal:     wire.U(0),
		// No Temp: this machine has no CPU sensor, so "temp" is left out.
		Uptime: wire.U(3600),
		GPUs:   []wire.GPU{{Name: "NVIDIA H100 80GB HBM3", UtilPercent: wire.F(45)}},
	}
	for _, msg := range []*wire.MsgStats{m, m.Compat()} {
		line, err := codec.AppendFrame(nil, msg)
		if err != nil {
			fmt.Println(err)
			return
		}
		os.Stdout.Write(line)
	}
	// Output:
	// ["MsgStats",{"host":"alpha","cpu_percent":12.5,"load_avg":[0.52,0.4,0.31],"memory_percent":43.2,"memory_total":16651128832,"swap_percent":0.0,"swap_total":0,"uptime":3600,"gpus":[{"name":"NVIDIA H100 80GB HBM3","util_percent":45.0}]}]
	// ["MsgStats",{"host":"alpha","cpu_percent":12.5,"load_avg":[0.52,0.4,0.31],"memory_percent":43.2,"memory_total":16651128832,"swap_percent":0.0,"swap_total":0}]
}

// A line from a Python cpu_mon peer, decoded.
func ExampleMsgStats_decode() {
	codec := message.NewJSONCodec(nil)
	codec.Register(func() message.Message { return new(wire.MsgStats) })

	line := []byte(`["MsgStats",{"host":"vm","cpu_percent":3.0,"load_avg":[0.1,0.05,0.0],"memory_percent":7.1,"memory_total":25179361280,"swap_percent":0.0,"swap_total":0}]` + "\n")
	m, _, err := codec.Decode(line)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := m.(*wire.MsgStats)
	fmt.Println(s.Host, s.CPUPercent.V, s.MemoryTotal.V, "temp known:", s.Temp.Valid)
	// Output: vm 3 25179361280 temp known: false
}
