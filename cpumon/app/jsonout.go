package app

import (
	"encoding/json"
	"io"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// jsonEvent is one line of -json output. Types:
//
//	self   this process: its peer id, host name and TCP address (first line)
//	stats  a stats message received from peer
//	gone   peer left or was lost; reason says why: "left" (goodbye or a
//	       clean close), "timeout" (nothing heard for the peer timeout), or
//	       the connection's error
type jsonEvent struct {
	Type   string         `json:"type"`
	Peer   string         `json:"peer"`
	Addr   string         `json:"addr,omitempty"`
	Host   string         `json:"host,omitempty"`
	Time   string         `json:"time"`
	Reason string         `json:"reason,omitempty"`
	Stats  *wire.MsgStats `json:"stats,omitempty"`
}

// jsonWriter writes -json lines; a nil *jsonWriter writes nothing.
type jsonWriter struct {
	enc *json.Encoder
}

func newJSONWriter(w io.Writer) *jsonWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonWriter{enc: enc}
}

func (j *jsonWriter) write(ev jsonEvent, now time.Time) error {
	if j == nil {
		return nil
	}
	ev.Time = now.UTC().Format(time.RFC3339Nano)
	return j.enc.Encode(ev)
}
