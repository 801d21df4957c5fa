package wire

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzUnmarshalMsgStats feeds arbitrary attribute objects to MsgStats: no
// panic, and whatever decodes encodes and decodes back to the same value.
func FuzzUnmarshalMsgStats(f *testing.F) {
	for _, line := range goldenLines(f) {
		_, obj := splitFrame(f, line)
		f.Add(obj)
	}
	f.Add([]byte(`{"host":"g","gpus":[{"name":"x","util_percent":1,"mem_used":2,"mem_total":3,"temp":4}],"uptime":1,"net_rx_rate":0.5}`))
	f.Add([]byte(`{"load_avg":[1e999,-0.0,"a"],"memory_total":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m MsgStats
		if err := json.Unmarshal(b, &m); err != nil {
			return
		}
		enc, err := json.Marshal(&m)
		if err != nil {
			t.Fatalf("marshal of decoded %+v: %v", m, err)
		}
		var back MsgStats
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("unmarshal of %s: %v", enc, err)
		}
		if !reflect.DeepEqual(normalize(m), normalize(back)) {
			t.Fatalf("round trip changed\n%+v\n%+v\nvia %s", m, back, enc)
		}
	})
}

// normalize maps the values that cannot survive JSON the same way encoding
// does: an empty GPU list is omitted, -0 is written as -0.0 (kept), NaN
// cannot be decoded at all.
func normalize(m MsgStats) MsgStats {
	if len(m.GPUs) == 0 {
		m.GPUs = nil
	}
	return m
}
