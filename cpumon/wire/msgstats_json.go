package wire

import (
	"bytes"
	"encoding/json"
)

// msgStatsFields has MsgStats's fields without its methods, so that
// encoding/json can handle them without recursion.
type msgStatsFields MsgStats

// MarshalJSON writes m as one JSON object, fields in declaration order,
// absent figures left out. It is written with encoding/json (whose
// omitzero leaves out absent figures) without HTML escaping, as Python
// writes "<", ">" and "&"; the JSON codec then escapes non-ASCII
// characters as Python's json.dumps does.
func (m MsgStats) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode((*msgStatsFields)(&m)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// UnmarshalJSON sets m from a JSON object, m's earlier content discarded.
// Unknown fields are ignored; a missing figure, or one of the wrong JSON
// type, is absent. It fails only when b is not an object, or when host or
// gpus has the wrong type.
func (m *MsgStats) UnmarshalJSON(b []byte) error {
	*m = MsgStats{}
	return json.Unmarshal(b, (*msgStatsFields)(m))
}
