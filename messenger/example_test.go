package messenger_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/secure"
)

// connectedPair dials a listener on the loopback interface and returns both
// ends of the TCP connection (a stand-in for package connector).
func connectedPair() (client, server net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	return client, <-accepted
}

// Both ends call New (the hello needs both); then messages flow.
func ExampleNew() {
	clientConn, serverConn := connectedPair()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &messenger.Options{AppID: "example"}

	served := make(chan struct{})
	go func() { // the server: echo one message
		defer close(served)
		srv, err := messenger.New(ctx, serverConn, message.NewByteCodec(nil), opts)
		if err != nil {
			serverConn.Close()
			log.Fatal(err)
		}
		defer srv.Shutdown(ctx)
		msg, err := srv.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if err := srv.Send(msg); err != nil {
			log.Fatal(err)
		}
	}()

	cli, err := messenger.New(ctx, clientConn, message.NewByteCodec(nil), opts)
	if err != nil {
		clientConn.Close()
		log.Fatal(err)
	}
	defer cli.Close()
	fmt.Println("peer runs", cli.Remote().Codec, "for", cli.Remote().AppID)
	if err := cli.Send(&message.MsgIdentify{Username: "ada", Hostname: "box"}); err != nil {
		log.Fatal(err)
	}
	msg, err := cli.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	id := msg.(*message.MsgIdentify)
	fmt.Printf("echoed %s: %s@%s\n", msg.MessageName(), id.Username, id.Hostname)
	<-served
	// Output:
	// peer runs byte for example
	// echoed MsgIdentify: ada@box
}

// A game loop. Each frame: Xfer, Get until nil, Send this frame's
// messages, and Xfer again so that they leave in this frame (queued after
// the last Xfer, they would wait a whole frame). Xfer returns only final
// errors: a loop may stop on any. Nothing here ever blocks.
func Example_gameLoop() {
	aConn, bConn := connectedPair()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type result struct {
		m   *messenger.Messenger
		err error
	}
	bReady := make(chan result)
	go func() {
		m, err := messenger.New(ctx, bConn, message.NewByteCodec(nil), nil)
		bReady <- result{m, err}
	}()
	a, err := messenger.New(ctx, aConn, message.NewByteCodec(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	r := <-bReady
	if r.err != nil {
		log.Fatal(r.err)
	}
	b := r.m
	defer a.Close()
	defer b.Close()

	sent, joins, quits, acks := 0, 0, 0, 0
	for frame := 0; quits == 0 || acks < 4; frame++ {
		// a's frame: take what arrived, play, send, send now.
		if err := a.Xfer(); err != nil {
			break // the connection is over
		}
		for msg := a.Get(); msg != nil; msg = a.Get() {
			acks++ // b's answers
		}
		switch { // three joins in the first frames, then a quit
		case sent < 3:
			if err := a.Send(&message.MsgJoin{}); err != nil {
				log.Fatal(err)
			}
			sent++
		case sent == 3:
			if err := a.Send(&message.MsgQuit{}); err != nil {
				log.Fatal(err)
			}
			sent++
		}
		if err := a.Xfer(); err != nil {
			break
		}

		// b's frame, in the same order: it answers each message in the
		// frame it reads it.
		if err := b.Xfer(); err != nil {
			break
		}
		for msg := b.Get(); msg != nil; msg = b.Get() {
			switch msg.(type) {
			case *message.MsgJoin:
				joins++
			case *message.MsgQuit:
				quits++
			}
			if err := b.Send(&message.MsgRetry{}); err != nil {
				log.Fatal(err)
			}
		}
		if err := b.Xfer(); err != nil {
			break
		}
		time.Sleep(time.Millisecond) // the rest of the frame
	}
	fmt.Println("joins:", joins, "quits:", quits, "answers:", acks)
	// Output: joins: 3 quits: 1 answers: 4
}

// With Options.Secret (here a join code's words), New runs a password
// handshake after the hello and every byte after it is sealed; a peer with
// another secret fails New on both sides with secure.ErrWrongCode.
func ExampleNew_secret() {
	code, err := joincode.Parse("7-guitarist-revenge")
	if err != nil {
		log.Fatal(err)
	}
	opts := &messenger.Options{AppID: "example", Secret: []byte(code.Secret()), Nameplate: code.Nameplate()}
	for _, joinerSecret := range []string{code.Secret(), "guitarist-revenue"} {
		hostConn, joinerConn := connectedPair()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		type result struct {
			m   *messenger.Messenger
			err error
		}
		hostReady := make(chan result)
		go func() {
			m, err := messenger.New(ctx, hostConn, message.NewByteCodec(nil), opts)
			hostReady <- result{m, err}
		}()
		jopts := *opts
		jopts.Secret = []byte(joinerSecret)
		joiner, jerr := messenger.New(ctx, joinerConn, message.NewByteCodec(nil), &jopts)
		host := <-hostReady
		if jerr != nil || host.err != nil {
			fmt.Println("joiner:", errors.Is(jerr, secure.ErrWrongCode), "host:", errors.Is(host.err, secure.ErrWrongCode))
			hostConn.Close()
			joinerConn.Close()
			cancel()
			continue
		}
		fmt.Println("same SAS on both sides:", joiner.SAS() == host.m.SAS())
		if err := joiner.Send(&message.MsgIdentify{Username: "ada", Hostname: "box"}); err != nil {
			log.Fatal(err)
		}
		if err := joiner.Flush(ctx); err != nil {
			log.Fatal(err)
		}
		msg, err := host.m.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("host got", msg.(*message.MsgIdentify).Username)
		joiner.Shutdown(ctx)
		host.m.Close()
		cancel()
	}
	// Output:
	// same SAS on both sides: true
	// host got ada
	// joiner: true host: true
}

// A game loop reads its peer's figures every frame with ReadStats: no
// lock, no allocation. Here both ends ping every 10 ms, and the loop runs
// until the first round trip is measured.
func ExampleMessenger_ReadStats() {
	clientConn, serverConn := connectedPair()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &messenger.Options{AppID: "example", PingInterval: 10 * time.Millisecond}

	peer := make(chan *messenger.Messenger)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv, err := messenger.New(ctx, serverConn, message.NewByteCodec(nil), opts)
		if err != nil {
			log.Fatal(err)
		}
		peer <- srv
		for { // the peer's loop: Recv answers the pings
			if _, err := srv.Recv(ctx); err != nil {
				return
			}
		}
	}()
	m, err := messenger.New(ctx, clientConn, message.NewByteCodec(nil), opts)
	if err != nil {
		log.Fatal(err)
	}
	srv := <-peer
	defer func() { m.Close(); srv.Close(); <-done }()

	var st messenger.Stats
	for ctx.Err() == nil { // the game loop
		if err := m.Xfer(); err != nil {
			log.Fatal(err)
		}
		for msg := m.Get(); msg != nil; msg = m.Get() {
		}
		m.ReadStats(&st)                      // a HUD would show st.SmoothedRTT, st.Jitter...
		if st.PongsIn > 0 && st.LastRTT > 0 { // a pong that gave a figure
			break
		}
		time.Sleep(time.Millisecond) // the rest of the frame
	}
	fmt.Println("round trip measured:", st.LastRTT > 0 && st.MinRTT <= st.SmoothedRTT)
	// Output: round trip measured: true
}

// One goroutine serves two peers and sleeps while both are idle: both
// Messengers signal one channel (Notify), and Ready arms them before the
// wait.
func ExampleMessenger_Notify() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &messenger.Options{AppID: "example"}
	var mine, theirs []*messenger.Messenger
	for range 2 {
		a, b := connectedPair()
		got := make(chan *messenger.Messenger)
		go func() {
			m, err := messenger.New(ctx, b, message.NewByteCodec(nil), opts)
			if err != nil {
				log.Fatal(err)
			}
			got <- m
		}()
		m, err := messenger.New(ctx, a, message.NewByteCodec(nil), opts)
		if err != nil {
			log.Fatal(err)
		}
		mine, theirs = append(mine, m), append(theirs, <-got)
	}
	defer func() {
		for _, m := range append(mine, theirs...) {
			m.Close()
		}
	}()
	// The second peer says something, from its own goroutine.
	go func() {
		theirs[1].Send(&message.MsgIdentify{Username: "bea", Hostname: "box"})
		theirs[1].Flush(ctx)
	}()

	wake := make(chan struct{}, 1)
	for _, m := range mine {
		m.Notify(wake)
	}
	for {
		for i, m := range mine {
			if err := m.Xfer(); err != nil {
				log.Fatal(err)
			}
			if msg := m.Get(); msg != nil {
				fmt.Printf("peer %d: %s\n", i, msg.(*message.MsgIdentify).Username)
				return
			}
		}
		ready := false
		for _, m := range mine {
			ready = m.Ready() || ready
		}
		if !ready {
			select {
			case <-wake:
			case <-ctx.Done():
				log.Fatal(ctx.Err())
			}
		}
	}
	// Output: peer 1: bea
}
