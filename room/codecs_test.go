package room

import (
	"context"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

// TestCodecs: the room's control messages travel in every codec: a
// group's last message and a work item reach a late member, a goodbye
// makes a clean leave.
func TestCodecs(t *testing.T) {
	leakcheck.Check(t)
	for _, tc := range []struct {
		name  string
		codec func() message.Codec
	}{
		{"byte", newCodec},
		{"json", func() message.Codec {
			c := message.NewJSONCodec(nil)
			message.Register[note](c)
			return c
		}},
		{"msgpack", func() message.Codec {
			c := msgpack.NewCodec(nil)
			message.Register[note](c)
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := listener(t, Config{Codec: tc.codec()})
			if err := srv.Publish("news", &note{S: "headline"}); err != nil {
				t.Fatal(err)
			}
			if err := srv.Produce("jobs", &note{S: "job"}); err != nil {
				t.Fatal(err)
			}
			r, err := New(context.Background(), &Config{AppID: "room-test", Codec: tc.codec(), Dial: []string{srv.Addr().String()}})
			if err != nil {
				t.Fatal(err)
			}
			c := &member{Room: r}
			defer c.Close()
			if err := c.JoinGroup("news"); err != nil {
				t.Fatal(err)
			}
			until(t, "c to join", func() bool { return len(c.Peers()) == 1 }, srv, c)
			if err := c.Notify("jobs", 1); err != nil {
				t.Fatal(err)
			}
			var msgs []Message
			var items []Item
			until(t, "the headline and the job", func() bool {
				msgs = append(msgs, c.notes()...)
				items = append(items, c.items()...)
				return len(msgs) == 1 && len(items) == 1
			}, srv, c)
			if msgs[0].Group != "news" || msgs[0].Msg.(*note).S != "headline" {
				t.Errorf("message %+v", msgs[0])
			}
			if items[0].Group != "jobs" || items[0].Msg.(*note).S != "job" {
				t.Errorf("item %+v", items[0])
			}
			id := c.ID()
			c.Close()
			until(t, "c to leave", func() bool { _, ok := leftOf(srv, id); return ok }, srv)
			if reason, _ := leftOf(srv, id); !isErr(reason, ErrPeerLeft) {
				t.Errorf("reason %v, want ErrPeerLeft", reason)
			}
		})
	}
}
