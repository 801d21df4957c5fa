package secure

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha512"

	"filippo.io/edwards25519/field"
)

// This file is the CPace core, suite CPACE-X25519-SHA512 of DraftVersion:
// the string utilities, the generator calculation with Elligator2, the
// scalar multiplication with its abort check, the ISK and the key
// confirmation MAC. Names follow the draft.

const (
	// DraftVersion is the CPace draft this package implements. It is part
	// of the channel identifier and of every key derivation label, so two
	// builds on different drafts never agree on a key.
	DraftVersion = "draft-irtf-cfrg-cpace-21"
	// Suite is the CPace cipher suite.
	Suite = "CPACE-X25519-SHA512"

	dsi           = "CPace255" // G_X25519.DSI
	fieldBytes    = 32         // G_X25519.field_size_bytes
	hashBlockSize = 128        // SHA-512 s_in_bytes
	iskSize       = 64         // SHA-512 b_in_bytes
	tagSize       = 64         // HMAC-SHA512
)

// appendLen appends the LEB128 encoding of n (prepend_len's prefix).
func appendLen(b []byte, n int) []byte {
	for {
		if n < 128 {
			return append(b, byte(n))
		}
		b = append(b, byte(n&0x7f|0x80))
		n >>= 7
	}
}

// prependLen returns prepend_len(s): the LEB128 length of s, then s.
func prependLen(s []byte) []byte { return append(appendLen(nil, len(s)), s...) }

// lvCat returns lv_cat(args...): each argument with its length prepended.
func lvCat(args ...[]byte) []byte {
	var b []byte
	for _, a := range args {
		b = appendLen(b, len(a))
		b = append(b, a...)
	}
	return b
}

// generatorString returns generator_string(DSI, PRS, CI, sid, s_in_bytes).
func generatorString(prs, ci, sid []byte) []byte {
	zpad := max(0, hashBlockSize-1-len(prependLen(prs))-len(prependLen([]byte(dsi))))
	return lvCat([]byte(dsi), prs, make([]byte, zpad), ci, sid)
}

// curveA is Curve25519's A = 486662 (J in RFC 9380, K = 1); minusA is -A.
var curveA, minusA field.Element

func init() {
	curveA.Mult32(new(field.Element).One(), 486662)
	minusA.Negate(&curveA)
}

// elligator2 is map_to_curve_elligator2 for curve25519 (RFC 9380,
// section 6.7.1, Z = 2), returning the u-coordinate only, as CPace
// discards v. It runs in constant time.
func elligator2(u *field.Element) [32]byte {
	var one, tv1, x1, gx1, x2 field.Element
	one.One()
	tv1.Square(u)
	tv1.Add(&tv1, &tv1) // Z * u^2
	minusOne := new(field.Element).Negate(&one)
	e1 := tv1.Equal(minusOne)
	tv1.Select(new(field.Element).Zero(), &tv1, e1)
	x1.Add(&tv1, &one)
	x1.Invert(&x1)            // inv0: 0 stays 0
	x1.Multiply(&x1, &minusA) // x1 = -A / (1 + Z u^2)
	gx1.Add(&x1, &curveA)
	gx1.Multiply(&gx1, &x1)
	gx1.Add(&gx1, &one)
	gx1.Multiply(&gx1, &x1) // x1^3 + A x1^2 + x1
	x2.Negate(&x1)
	x2.Subtract(&x2, &curveA) // x2 = -x1 - A
	_, e2 := new(field.Element).SqrtRatio(&gx1, &one)
	x2.Select(&x1, &x2, e2) // x = is_square(gx1) ? x1 : x2
	var out [32]byte
	copy(out[:], x2.Bytes())
	return out
}

// calculateGenerator is G_X25519.calculate_generator(H, PRS, CI, sid).
func calculateGenerator(prs, ci, sid []byte) [32]byte {
	h := sha512.Sum512(generatorString(prs, ci, sid))
	// decodeUCoordinate(h[:32], 255): SetBytes ignores bit 255 and
	// accepts non-canonical values, as RFC 7748 asks.
	u, _ := new(field.Element).SetBytes(h[:fieldBytes])
	return elligator2(u)
}

// scalarMultVfy is G_X25519.scalar_mult_vfy(y, g) = X25519(y, g). It
// returns ok false, the draft's G.I case, when the result is the neutral
// element (g of low order on the curve or its twist).
func scalarMultVfy(y *ecdh.PrivateKey, g []byte) (out [32]byte, ok bool) {
	pub, err := ecdh.X25519().NewPublicKey(g)
	if err != nil {
		return out, false
	}
	k, err := y.ECDH(pub) // fails exactly when the result is all zero
	if err != nil {
		return out, false
	}
	copy(out[:], k)
	return out, true
}

// transcriptIR is transcript_ir(Ya, ADa, Yb, ADb) (initiator-responder).
func transcriptIR(ya, ada, yb, adb []byte) []byte {
	return append(lvCat(ya, ada), lvCat(yb, adb)...)
}

// computeISK returns ISK = H.hash(lv_cat(DSI || "_ISK", sid, K) ||
// transcript_ir(Ya, ADa, Yb, ADb)).
func computeISK(sid, k, ya, ada, yb, adb []byte) [iskSize]byte {
	m := lvCat([]byte(dsi+"_ISK"), sid, k)
	m = append(m, transcriptIR(ya, ada, yb, adb)...)
	return sha512.Sum512(m)
}

// macKey is the draft's key confirmation key, H.hash(b"CPaceMac" || sid ||
// ISK).
func macKey(sid []byte, isk *[iskSize]byte) [64]byte {
	m := append([]byte("CPaceMac"), sid...)
	return sha512.Sum512(append(m, isk[:]...))
}

// confirmTag is the draft's authenticator tag MAC(mac_key, lv_cat(Y, AD))
// with HMAC-SHA512.
func confirmTag(key *[64]byte, y, ad []byte) [tagSize]byte {
	m := hmac.New(sha512.New, key[:])
	m.Write(lvCat(y, ad))
	var t [tagSize]byte
	m.Sum(t[:0])
	return t
}
