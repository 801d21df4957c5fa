package message

// Decoding runs of frames: the interfaces that let a reader that decodes
// many frames at a time (a Messenger's Get) recover a panic once for the
// run, and the byte codec's Decoder's implementation of them. A recover
// per frame costs about as much as decoding a small frame, and the calls
// between the reader and the type's DecodePayload about as much again.

// UncheckedDecoder is implemented by Decoders that can leave the recovery
// of a panic in a type's own code to their caller: a reader that decodes a
// run of frames (a Messenger's Get) then recovers once around the run
// instead of once per frame, which costs more than decoding a small frame.
//
// DecodeUnchecked is Decode (same results) except that a panic in a
// registered type's code (its factory or DecodePayload) propagates. After
// recovering such a panic, the caller calls Recovered with the same buf and
// the recovered value: it returns the frame length and the error (a
// recoverable *DecodeError wrapping ErrBadPayload and a *PanicError) that
// Decode would have returned, and the caller skips the frame as it would
// after Decode. A panic that did not come from DecodeUnchecked must not be
// given to Recovered.
type UncheckedDecoder interface {
	Decoder
	DecodeUnchecked(buf []byte) (m Message, n int, err error)
	Recovered(buf []byte, r any) (n int, err error)
}

// RunDecoder is an UncheckedDecoder that also decodes a run of frames in
// one call, for a reader that decodes many frames at a time (a
// Messenger's Get): the per-frame work of the calls between the reader
// and the type's DecodePayload is then paid once a run.
//
// DecodeRun decodes frames from the start of buf into out, as
// DecodeUnchecked would, and returns how many messages it stored (k) and
// how many bytes they took (n). It stops at the first frame it does not
// take itself, which the caller then gives to Decode or DecodeUnchecked: a
// frame not whole, one of a type without a fast path, one that Decode
// would reject or skip, a byte no frame starts with; and when out is full.
// A panic in a type's code propagates as in DecodeUnchecked; RunProgress
// then returns what the run had decoded before the frame that panicked,
// which starts at buf[n:] (give that to Recovered).
type RunDecoder interface {
	UncheckedDecoder
	DecodeRun(buf []byte, out []Message) (k, n int)
	RunProgress() (k, n int)
}

// runFunc decodes frames of one type from buf[st.n:] into out[st.k:],
// advancing st after each, until a frame is of another type, is not whole,
// is rejected by DecodePayload, or out is full.
type runFunc func(buf []byte, out []Message, st *runState)

// runState counts what a DecodeRun has decoded: k messages, n bytes.
type runState struct{ k, n int }

var _ RunDecoder = (*byteDecoder)(nil)

// DecodeRun decodes the frames at the start of buf whose types were
// registered with Register (see RunDecoder).
func (d *byteDecoder) DecodeRun(buf []byte, out []Message) (k, n int) {
	d.st = runState{}
	for d.st.k < len(out) && len(buf)-d.st.n >= MinByteFrame {
		e := &d.c.table[buf[d.st.n+1]]
		if e.typed == nil || e.typed.slot >= len(d.runs) {
			break
		}
		before := d.st.n
		d.runs[e.typed.slot](buf, out, &d.st)
		if d.st.n == before {
			break // a frame the run does not take: Decode's
		}
	}
	return d.st.k, d.st.n
}

// RunProgress returns what the last DecodeRun had decoded.
func (d *byteDecoder) RunProgress() (k, n int) { return d.st.k, d.st.n }

var _ UncheckedDecoder = (*byteDecoder)(nil)

// DecodeUnchecked is Decode without the recover around a typed entry's
// DecodePayload (see UncheckedDecoder); every other path is Decode's.
func (d *byteDecoder) DecodeUnchecked(buf []byte) (Message, int, error) {
	return d.decode(buf, false)
}

// Recovered gives what Decode returns when decoding buf panics with r.
func (d *byteDecoder) Recovered(buf []byte, r any) (int, error) {
	n := int(buf[0])
	e := &d.c.table[buf[1]]
	return n, &DecodeError{Codec: "byte", Type: codeString(buf[1]), Offset: MinByteFrame, Skip: n,
		Err: panicked("decoding "+e.typ.String(), r)}
}
