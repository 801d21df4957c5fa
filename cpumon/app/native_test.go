package app

import (
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/replica"
	"github.com/cablecar-go/cablecar/room"
)

// TestNativeStatsAreACacheable: in native mode a monitor publishes its
// samples as a replica Cacheable: a bare room on its discovery port that
// observes statsName from the monitor gets a snapshot of its sample,
// then each later sample as a delta.
func TestNativeStatsAreACacheable(t *testing.T) {
	o := options{local: true, json: true, interval: 200 * time.Millisecond, port: freeport.UDP(t)}
	mon := startInstance(t, o)
	r, err := room.New(t.Context(), &room.Config{AppID: appID, Name: "observer", Codec: nativeCodec(), Loopback: true, UDPPort: o.port})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := replica.New(r, nil)
	var view *replica.View[nativeStats]
	var first uint64
	deadline := time.Now().Add(10 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no snapshot and two deltas within 10 s")
		}
		_ = r.Xfer()
		for ev := r.Get(); ev != nil; ev = r.Get() {
			if h.Handle(ev) {
				continue
			}
			if j, ok := ev.(room.Joined); ok && roomKey(j.Peer) == mon.self.Peer {
				if view, err = replica.ObserveFrom[nativeStats](h, j.Peer, statsName); err != nil {
					t.Fatal(err)
				}
			}
		}
		_ = h.Flush()
		_ = r.Xfer()
		if view != nil && view.Ready() {
			v, _ := view.Value()
			if first == 0 {
				first = v.Sample
				if !strings.Contains(v.Stats.Host, "#") || !v.Stats.CPUPercent.Valid {
					t.Fatalf("snapshot %+v", v)
				}
			}
			if v.Sample >= first+2 && view.Seq() >= 2 {
				break
			}
		}
		time.Sleep(time.Millisecond) // a frame of the observer's loop, not a synchronisation
	}
}
