package connector_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

// A server at a known address and a client that dials it. Accept returns
// one connection; the client retries until the server listens.
func ExampleDirectServer_Accept() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	srv := &connector.DirectServer{Addr: "127.0.0.1:0"} // port 0: any free port
	if err := srv.Listen(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	go func() {
		conn, err := connector.Dial(ctx, srv.LocalAddr().String())
		if err != nil {
			fmt.Println(err)
			return
		}
		defer conn.Close()
		conn.Write([]byte("hello"))
	}()

	conn, err := srv.Accept(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	b, _ := io.ReadAll(conn)
	fmt.Printf("%s\n", b)
	// Output: hello
}

// Serve hands every connection to OnConnect until its context ends.
func ExampleDirectServer_Serve() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string)
	srv := &connector.DirectServer{
		Addr: "127.0.0.1:0",
		OnConnect: func(conn net.Conn) {
			b, _ := io.ReadAll(conn)
			conn.Close()
			got <- string(b)
		},
	}
	if err := srv.Listen(ctx); err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error)
	go func() { done <- srv.Serve(ctx) }()

	client := &connector.DirectClient{Timeout: 5 * time.Second}
	for _, name := range []string{"ann", "bob"} {
		conn, err := client.Dial(ctx, srv.LocalAddr().String())
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Write([]byte(name))
		conn.Close()
		fmt.Println(<-got)
	}
	cancel()
	fmt.Println(<-done)
	srv.Close()
	// Output:
	// ann
	// bob
	// connector: accept: context canceled
}

// MaxConns bounds the connections Serve has handed out that are still
// open: beyond it, a connection is reset at once and never reaches
// OnConnect.
func ExampleDirectServer_Serve_maxConns() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan net.Conn, 2)
	srv := &connector.DirectServer{
		Addr:      "127.0.0.1:0",
		MaxConns:  1,
		OnConnect: func(conn net.Conn) { served <- conn }, // kept open
	}
	if err := srv.Listen(ctx); err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error)
	go func() { done <- srv.Serve(ctx) }()

	first, err := connector.Dial(ctx, srv.LocalAddr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer first.Close()
	held := <-served
	// One attempt (connector.Dial would retry the reset): the reset comes
	// during the connect or at the first read.
	second, err := net.Dial("tcp", srv.LocalAddr().String())
	if err == nil {
		_, err = second.Read(make([]byte, 1))
		second.Close()
	}
	fmt.Println("second connection refused:", err != nil, srv.Refused())
	held.Close()
	cancel()
	<-done
	srv.Close()
	// Output: second connection refused: true 1
}
