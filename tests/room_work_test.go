package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// itemsOf returns the work items a roompeer printed, in order: confirmed
// are those an ACKED line followed (their acks were written before it
// could die), pending those after the last ACKED.
func itemsOf(p *roomProc) (confirmed, pending []string) {
	for _, l := range p.Lines() {
		switch {
		case strings.HasPrefix(l, "ITEM "):
			pending = append(pending, strings.Fields(l)[3])
		case strings.HasPrefix(l, "ACKED "):
			confirmed = append(confirmed, pending...)
			pending = nil
		}
	}
	return confirmed, pending
}

// TestRoomProcessesWorkQueue: a producer process puts 600 items on a work
// queue; three consumer processes pull them (each keeps 4 asked for), and
// one of them is killed (SIGKILL) half-way. Every item is taken, by one
// consumer only: the items in flight to the killed one go to the two
// others. The one exception the room documents: an item the killed
// consumer had taken but whose ack had not left when it died (printed,
// no ACKED after it) may be taken again. A process in the room that never
// asked gets nothing, and the producer's queue ends empty.
func TestRoomProcessesWorkQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const n = 600
	ps := loopbackRooms(t, 5, "-work", "2ms")
	prod, c1, c2, victim, idle := ps[0], ps[1], ps[2], ps[3], ps[4]
	for _, c := range []*roomProc{c1, c2, victim} {
		c.do(t, "pull jobs 4")
	}
	prod.do(t, fmt.Sprintf("produce jobs job %d", n))
	poll(t, 30*time.Second, "the victim to take 20 items", func() bool { return victim.Count("ITEM ") >= 20 })
	victim.Kill()
	_ = victim.Wait(10 * time.Second)
	before := c1.Count("ITEM ") + c2.Count("ITEM ") + victim.Count("ITEM ")
	if before >= n {
		t.Fatalf("every item was taken before the kill (%d): not a kill half-way", before)
	}
	t.Logf("%d of %d items taken when the victim was killed", before, n)

	vConfirmed, vPending := itemsOf(victim)
	seen := map[string]string{}
	for _, s := range vConfirmed {
		seen[s] = "victim"
	}
	maybe := map[string]bool{}
	for _, s := range vPending {
		maybe[s] = true
	}
	poll(t, 30*time.Second, "every item to be taken", func() bool {
		all := map[string]bool{}
		for _, c := range []*roomProc{c1, c2, victim} {
			confirmed, pending := itemsOf(c)
			for _, s := range append(confirmed, pending...) {
				all[s] = true
			}
		}
		return len(all) == n
	})
	prod.WaitLine("LEFT "+victim.id+" reset", 20*time.Second)
	poll(t, 20*time.Second, "the producer's queue to empty", func() bool {
		return prod.ask(t, "work jobs", "WORK ") == "WORK jobs 0 0"
	})
	again := 0
	for _, c := range []*roomProc{c1, c2} {
		confirmed, pending := itemsOf(c)
		for _, s := range append(confirmed, pending...) {
			switch who, dup := seen[s]; {
			case dup:
				t.Errorf("item %s reached %s and %s", s, who, c.id)
			case maybe[s]:
				again++
			}
			seen[s] = c.id
		}
	}
	for _, s := range vPending {
		if _, ok := seen[s]; !ok {
			seen[s] = "victim"
		}
	}
	for i := range n {
		if _, ok := seen[fmt.Sprint("job-", i)]; !ok {
			t.Errorf("item job-%d was lost", i)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct items taken, want %d", len(seen), n)
	}
	t.Logf("victim took %d (%d unacknowledged at the kill, %d of them taken again); c1 %d, c2 %d",
		len(vConfirmed)+len(vPending), len(vPending), again, c1.Count("ITEM "), c2.Count("ITEM "))
	if k := idle.Count("ITEM "); k != 0 {
		t.Errorf("a room that never asked got %d items", k)
	}
}
