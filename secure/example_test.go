package secure_test

import (
	"errors"
	"fmt"

	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/secure"
)

// A whole handshake between two sides in memory, then one record each
// way. In cablecar the Messenger carries the messages.
func Example() {
	code, _ := joincode.Parse("7-guitarist-revenge")
	joiner, _ := secure.NewHandshake(&secure.Config{
		Role: secure.Initiator, Secret: []byte(code.Secret()), AppID: "chat",
		Nameplate: code.Nameplate(), LocalID: "joiner", RemoteID: "host",
	})
	host, _ := secure.NewHandshake(&secure.Config{
		Role: secure.Responder, Secret: []byte(code.Secret()), AppID: "chat",
		Nameplate: code.Nameplate(), LocalID: "host", RemoteID: "joiner",
	})

	msg, _ := joiner.Start()
	sides := []*secure.Handshake{host, joiner}
	for i := 0; msg != nil; i++ {
		reply, done, err := sides[i%2].Read(msg)
		if err != nil {
			fmt.Println(err)
			return
		}
		if done {
			fmt.Println(sides[i%2] == host, "done")
		}
		msg = reply
	}
	jk, _ := joiner.Keys()
	hk, _ := host.Keys()
	fmt.Println("same SAS:", jk.SAS() == hk.SAS())

	// Seal in place: the payload sits after room for the header, with
	// room for the tag after it.
	buf := make([]byte, 64)
	n := copy(buf[secure.RecordHeaderLen:], "hello host")
	record, _ := jk.Sealer().Seal(buf[:0], buf[secure.RecordHeaderLen:secure.RecordHeaderLen+n])
	payload, err := hk.Opener().Open(record[secure.RecordHeaderLen:secure.RecordHeaderLen], record)
	fmt.Printf("%s %v\n", payload, err)
	// Output:
	// true done
	// false done
	// same SAS: true
	// hello host <nil>
}

// With different codes, both sides fail at key confirmation with
// ErrWrongCode.
func Example_wrongCode() {
	joiner, _ := secure.NewHandshake(&secure.Config{Role: secure.Initiator, Secret: []byte("guitarist-revenge"), LocalID: "joiner", RemoteID: "host"})
	host, _ := secure.NewHandshake(&secure.Config{Role: secure.Responder, Secret: []byte("guitarist-revenue"), LocalID: "host", RemoteID: "joiner"})
	m1, _ := joiner.Start()
	m2, _, _ := host.Read(m1)
	m3, _, _ := joiner.Read(m2)
	m4, _, errHost := host.Read(m3) // the host sends m4 anyway, then closes
	_, _, errJoiner := joiner.Read(m4)
	fmt.Println(errors.Is(errHost, secure.ErrWrongCode), errors.Is(errJoiner, secure.ErrWrongCode))
	fmt.Println(errJoiner)
	// Output:
	// true true
	// secure: wrong code or password: the keys did not match; get a new code from the host (this one is used up) or check the password
}

// A receiver gathers a record from a stream: header first, then the rest.
func ExampleRecordLen() {
	s := secure.NewSealer(&[secure.KeySize]byte{1})
	o := secure.NewOpener(&[secure.KeySize]byte{1})
	stream, _ := s.Seal(nil, []byte("one"))
	stream, _ = s.Seal(stream, []byte("two"))
	for len(stream) >= secure.RecordHeaderLen {
		n, err := secure.RecordLen(stream)
		if err != nil || len(stream) < n {
			break // a real reader would wait for more bytes
		}
		p, err := o.Open(nil, stream[:n])
		fmt.Printf("%s %v\n", p, err)
		stream = stream[n:]
	}
	// A replay of the first record fails.
	replay, _ := secure.NewSealer(&[secure.KeySize]byte{1}).Seal(nil, []byte("one"))
	_, err := o.Open(nil, replay)
	fmt.Println(errors.Is(err, secure.ErrTampered))
	// Output:
	// one <nil>
	// two <nil>
	// true
}
