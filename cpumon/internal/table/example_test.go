package table_test

import (
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/cpumon/wire"
)

func Example() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	hosts := table.NewHosts(nil)
	hosts.Update("peer-1", &wire.MsgStats{Host: "alpha", CPUPercent: wire.F(12.5),
		LoadAvg: wire.LoadAvg{wire.F(0.52), wire.F(0.4), wire.F(0.31)}, MemoryPercent: wire.F(43.2),
		MemoryTotal: wire.U(16651128832), SwapPercent: wire.F(0), SwapTotal: wire.U(2147479552), Temp: wire.F(48)}, now)
	hosts.Update("peer-2", &wire.MsgStats{Host: "beta", CPUPercent: wire.F(3)}, now.Add(-2*time.Second))
	hosts.Disconnected("peer-2", now)

	hosts.Expire(now)
	fmt.Print(table.Render(hosts.Rows(now.Add(time.Second)), 80))
	// Output:
	// HOST   CPU%     LOAD 1/5/15        MEM     SWAP  TEMP   AGE
	// alpha  12.5  0.52 0.40 0.31  43% 15.5G  0% 2.0G  48°C    1s
	// beta    3.0                                            gone
}
