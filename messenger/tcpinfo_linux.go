package messenger

import (
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func tcpInfo(rc syscall.RawConn) (TCPInfo, error) {
	var (
		ti   *unix.TCPInfo
		serr error
	)
	err := rc.Control(func(fd uintptr) {
		ti, serr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return TCPInfo{}, fmt.Errorf("messenger: getsockopt TCP_INFO: %w", err)
	}
	us := func(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }
	return TCPInfo{
		RTT:          us(ti.Rtt),
		RTTVar:       us(ti.Rttvar),
		MinRTT:       us(ti.Min_rtt),
		Retransmits:  uint32(ti.Retransmits),
		TotalRetrans: ti.Total_retrans,
		Lost:         ti.Lost,
		Cwnd:         ti.Snd_cwnd,
		MSS:          ti.Snd_mss,
		Unacked:      ti.Unacked,
		Unsent:       ti.Notsent_bytes,
	}, nil
}
