package app

import "github.com/cablecar-go/cablecar/message"

// MsgChat is one line said in the room.
type MsgChat struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// MessageName implements message.Message.
func (*MsgChat) MessageName() string { return "MsgChat" }

// newCodec returns the JSON codec with MsgChat registered (the built-ins are
// there already).
func newCodec() *message.JSONCodec {
	c := message.NewJSONCodec(nil)
	message.Register[MsgChat](c)
	return c
}
