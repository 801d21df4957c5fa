// Command roompeer is one room.Room in a process of its own, driven by
// the cross-process and netns tests of package tests: it reads commands on
// stdin, one a line, and prints what its room sees on stdout, one event a
// line. It is a test helper, not a program for users.
//
// Output lines (peer ids are 16 hex digits):
//
//	SELF id                  first line: this room's id
//	JOINED id                a peer joined
//	LEFT id kind             a peer left; kind: left, timeout, reset, protocol, other
//	REJECTED addr            a connection never became a peer
//	MSG from group text      a message ("-" for no group; a built-in: its type name)
//	ITEM from group text     a work item (printed before its ack is written)
//	ACKED n                  the acks of the n items printed since the last ACKED are written
//	OK cmd                   a command was carried out
//	ERR cmd: error           a command failed
//	PEERS n id...            answer to "peers"
//	MEMBERS group n id...    answer to "members group"
//	WORK group queued inflight  answer to "work group"
//	QUEUE text...            answer to "pop n", "newest", "all-queue"
//
// Commands: join g, leave g, pub g text, all text, send id text,
// builtins (MsgIdentify gouser@gohost, MsgJoin, MsgRetry, MsgQuit to all),
// produce g prefix n (items prefix-0 .. prefix-n-1), notify g n,
// pull g k (keep k items asked for: notify k now and 1 more per item
// taken), peers, members g, work g, pop n, newest, all-queue (the local
// queue of the messages published to group "pos"), quit (Shutdown, exit).
// The end of stdin is quit.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cablecar-go/cablecar/internal/roomtest"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/room"
)

// note is the message the tests send: a string (byte code 0x20).
type note = roomtest.Note

func main() {
	app := flag.String("app", "roompeer", "AppID")
	codecName := flag.String("codec", "byte", "codec: byte, json or msgpack")
	port := flag.Int("port", 0, "beacon UDP port (0: the default)")
	loopback := flag.Bool("loopback", false, "discovery on loopback only")
	interval := flag.Duration("interval", 100*time.Millisecond, "beacon and ping interval")
	timeout := flag.Duration("timeout", 0, "peer timeout (0: the room's default)")
	listen := flag.String("listen", "", "listen on this address instead of discovery")
	dial := flag.String("dial", "", "comma-separated addresses to dial instead of discovery")
	one := flag.Bool("one", false, "OneToOne discovery")
	name := flag.String("name", "", "display name")
	work := flag.Duration("work", 0, "time spent on each work item taken")
	compat := flag.Bool("compat", false, "compat mode: talk to cable_car 1.0.1 peers")
	echo := flag.Bool("echo", false, "send every message received back to its sender")
	flag.Parse()

	var codec message.Codec
	switch *codecName {
	case "byte":
		codec = message.NewByteCodec(nil)
	case "json":
		codec = message.NewJSONCodec(nil)
	case "msgpack":
		codec = msgpack.NewCodec(nil)
	default:
		fmt.Fprintln(os.Stderr, "roompeer: unknown codec", *codecName)
		os.Exit(2)
	}
	message.Register[note](codec)
	cfg := &room.Config{AppID: *app, Codec: codec, Name: *name, Loopback: *loopback, UDPPort: *port,
		Interval: *interval, PeerTimeout: *timeout, Listen: *listen, OneToOne: *one, Compat: *compat}
	if *dial != "" {
		cfg.Dial = strings.Split(*dial, ",")
	}
	r, err := room.New(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "roompeer:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "SELF %016x", uint64(r.ID()))
	if a := r.Addr(); a != nil {
		fmt.Fprintf(out, " %s", a)
	}
	fmt.Fprintln(out)
	out.Flush()

	lines := make(chan string, 64)
	go func() { // ends with the process
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	p := &peer{r: r, out: out, pull: map[string]bool{}, pos: room.NewQueue[string](16), work: *work, echo: *echo}
	for {
		select {
		case l, ok := <-lines:
			if !ok || l == "quit" {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = r.Shutdown(ctx)
				cancel()
				fmt.Fprintln(out, "OK quit")
				out.Flush()
				return
			}
			p.command(l)
		default:
		}
		p.frame()
		out.Flush()
		time.Sleep(time.Millisecond)
	}
}

type peer struct {
	r     *room.Room
	out   *bufio.Writer
	pull  map[string]bool // queues in pull mode
	pos   *room.Queue[string]
	work  time.Duration
	echo  bool
	taken int // items printed, not yet ACKED
}

// frame is one frame of the game loop: Xfer, Get until nil, Xfer.
func (p *peer) frame() {
	_ = p.r.Xfer()
	for ev := p.r.Get(); ev != nil; ev = p.r.Get() {
		switch ev := ev.(type) {
		case room.Joined:
			fmt.Fprintf(p.out, "JOINED %016x\n", uint64(ev.Peer))
		case room.Left:
			fmt.Fprintf(p.out, "LEFT %016x %s\n", uint64(ev.Peer), kind(ev.Reason))
		case room.Rejected:
			fmt.Fprintf(p.out, "REJECTED %s %v\n", ev.Addr, ev.Reason)
		case room.Message:
			g := ev.Group
			if g == "" {
				g = "-"
			}
			s := text(ev.Msg)
			if g == "pos" {
				p.pos.Push(s)
			}
			fmt.Fprintf(p.out, "MSG %016x %s %s\n", uint64(ev.Peer), g, s)
			if p.echo {
				if err := p.r.Send(ev.Peer, ev.Msg); err != nil {
					fmt.Fprintf(p.out, "ERR echo: %v\n", err)
				}
			}
		case room.Item:
			fmt.Fprintf(p.out, "ITEM %016x %s %s\n", uint64(ev.Peer), ev.Group, text(ev.Msg))
			p.taken++
			if p.pull[ev.Group] {
				_ = p.r.Notify(ev.Group, 1)
			}
			time.Sleep(p.work) // the work the item stands for
		}
	}
	_ = p.r.Xfer()
	if p.taken > 0 {
		// Taken means acknowledged: the acks are written before the
		// items count as done (an item whose ack did not leave goes to
		// another consumer if this one dies).
		p.out.Flush()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if p.r.Flush(ctx) == nil {
			fmt.Fprintf(p.out, "ACKED %d\n", p.taken)
			p.taken = 0
		}
		cancel()
	}
}

func text(m message.Message) string {
	if n, ok := m.(*note); ok {
		return n.S
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", m), "*message.")
}

func kind(err error) string {
	for _, k := range []struct {
		err  error
		word string
	}{{room.ErrPeerLeft, "left"}, {room.ErrPeerTimeout, "timeout"}, {room.ErrPeerReset, "reset"}, {room.ErrPeerProtocol, "protocol"}} {
		if errors.Is(err, k.err) {
			return k.word
		}
	}
	return "other"
}

func (p *peer) command(l string) {
	f := strings.Fields(l)
	if len(f) == 0 {
		return
	}
	err := p.run(f)
	if err != nil {
		fmt.Fprintf(p.out, "ERR %s: %v\n", l, err)
		return
	}
	fmt.Fprintf(p.out, "OK %s\n", l)
}

func (p *peer) run(f []string) error {
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	num := func(i int) int { n, _ := strconv.Atoi(arg(i)); return n }
	r := p.r
	switch f[0] {
	case "join":
		return r.JoinGroup(arg(1))
	case "leave":
		return r.LeaveGroup(arg(1))
	case "pub":
		return r.Publish(arg(1), &note{S: arg(2)})
	case "all":
		return r.SendAll(&note{S: arg(1)})
	case "builtins": // cable_car's four built-in messages, to every peer
		for _, m := range []message.Message{&message.MsgIdentify{Username: "gouser", Hostname: "gohost"},
			&message.MsgJoin{}, &message.MsgRetry{}, &message.MsgQuit{}} {
			if err := r.SendAll(m); err != nil {
				return err
			}
		}
		return nil
	case "send":
		id, err := strconv.ParseUint(arg(1), 16, 64)
		if err != nil {
			return err
		}
		return r.Send(room.PeerID(id), &note{S: arg(2)})
	case "produce":
		for i := range num(3) {
			if err := r.Produce(arg(1), &note{S: fmt.Sprintf("%s-%d", arg(2), i)}); err != nil {
				return err
			}
		}
		return nil
	case "notify":
		return r.Notify(arg(1), num(2))
	case "pull":
		p.pull[arg(1)] = true
		return r.Notify(arg(1), num(2))
	case "peers":
		ids := r.Peers()
		fmt.Fprintf(p.out, "PEERS %d%s\n", len(ids), list(ids))
	case "members":
		ids := r.Members(arg(1))
		fmt.Fprintf(p.out, "MEMBERS %s %d%s\n", arg(1), len(ids), list(ids))
	case "work":
		q, fl := r.Work(arg(1))
		fmt.Fprintf(p.out, "WORK %s %d %d\n", arg(1), q, fl)
	case "pop":
		p.queue(p.pos.Pop(nil, num(1)))
	case "newest":
		var got []string
		if s, ok := p.pos.Newest(); ok {
			got = append(got, s)
		}
		p.queue(got)
	case "all-queue":
		p.queue(p.pos.All(nil))
	default:
		return fmt.Errorf("unknown command")
	}
	return nil
}

func (p *peer) queue(got []string) {
	fmt.Fprintf(p.out, "QUEUE%s\n", strings.Join(append([]string{""}, got...), " "))
}

func list(ids []room.PeerID) string {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, " %016x", uint64(id))
	}
	return b.String()
}
