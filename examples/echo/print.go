package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/cablecar-go/cablecar/message"
)

// printer writes whole lines from several goroutines.
type printer struct {
	mu  sync.Mutex
	out io.Writer
}

func newPrinter(out io.Writer) *printer { return &printer{out: out} }

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", args...)
}

// describe renders a message as its name and fields: MsgIdentify {"username":...}.
func describe(m message.Message) string {
	fields, err := json.Marshal(m)
	if err != nil {
		return fmt.Sprintf("%s %+v", m.MessageName(), m)
	}
	return m.MessageName() + " " + string(fields)
}
