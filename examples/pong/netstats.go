package main

import (
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/messenger"
)

// pingInterval is how often each side measures the round trip.
const pingInterval = 500 * time.Millisecond

// netStats measures the round trip, with ping/pong messages carrying the
// sender's clock (in the 60 Hz loop it includes the frames the messages
// wait for an Xfer, see the package doc), and the messages per second in
// and out, counted by the session, over one-second windows.
type netStats struct {
	start    time.Time
	seq      uint32
	lastPing time.Time
	rtt      time.Duration // newest round trip
	pongs    int

	// The Messenger's own round trip (its ping/pong control frames, see
	// package messenger): the connection's, without the frames a game
	// message waits for an Xfer.
	linkRTT time.Duration // smoothed
	linkOK  bool          // a pong has given it

	winStart        time.Time
	winIn, winOut   uint64
	inRate, outRate float64 // messages per second over the last window
	in, out         uint64  // messages received and sent
}

func newNetStats(now time.Time) *netStats {
	return &netStats{start: now, winStart: now}
}

// ping returns a PingMsg when one is due, else nil.
func (n *netStats) ping(now time.Time) *game.PingMsg {
	if n.seq > 0 && now.Sub(n.lastPing) < pingInterval {
		return nil
	}
	n.seq++
	n.lastPing = now
	return &game.PingMsg{Seq: n.seq, Sent: int64(now.Sub(n.start))}
}

// pong takes the answer to one of our pings.
func (n *netStats) pong(m *game.PongMsg, now time.Time) {
	sent := n.start.Add(time.Duration(m.Sent))
	if rtt := now.Sub(sent); rtt >= 0 && m.Seq <= n.seq {
		n.rtt = rtt
		n.pongs++
	}
}

// update recomputes the rates, once a second.
func (n *netStats) update(now time.Time) {
	if d := now.Sub(n.winStart); d >= time.Second {
		n.inRate = float64(n.in-n.winIn) / d.Seconds()
		n.outRate = float64(n.out-n.winOut) / d.Seconds()
		n.winStart, n.winIn, n.winOut = now, n.in, n.out
	}
}

// statsReader is a link that gives the Messenger's figures: a
// *messenger.Messenger, or an opponent in a room (Room.Stats).
type statsReader interface {
	ReadStats(*messenger.Stats)
}

// readLink takes the Messenger's round trip from m, when it gives one.
func (n *netStats) readLink(m link, st *messenger.Stats) {
	sr, ok := m.(statsReader)
	if !ok {
		return
	}
	sr.ReadStats(st)
	n.linkRTT, n.linkOK = st.SmoothedRTT, st.PongsIn > 0 && st.SmoothedRTT > 0
}

// summary is the final line: round trip and average rates since the start.
func (n *netStats) summary(now time.Time) string {
	secs := now.Sub(n.start).Seconds()
	return fmt.Sprintf("net rtt=%s msgs_in=%d msgs_out=%d in=%.0f/s out=%.0f/s", n.rttString(), n.in, n.out, float64(n.in)/secs, float64(n.out)/secs)
}

func (n *netStats) rttString() string {
	if n.pongs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3fms", float64(n.rtt)/float64(time.Millisecond))
}

// String is the HUD line: the game's round trip (rtt), the Messenger's
// (net), and the message rates.
func (n *netStats) String() string {
	net := "-"
	if n.linkOK {
		net = fmt.Sprintf("%.3fms", float64(n.linkRTT)/float64(time.Millisecond))
	}
	return fmt.Sprintf("rtt %s net %s in %.0f/s out %.0f/s", n.rttString(), net, n.inRate, n.outRate)
}
