package secure

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha512"
	"encoding/hex"
	"strings"
	"testing"

	"filippo.io/edwards25519/field"
)

// The vectors in this file are from the appendices of
// draft-irtf-cfrg-cpace-21 (github.com/cfrg/draft-irtf-cfrg-cpace, tag
// draft-irtf-cfrg-cpace-21, files draft-irtf-cfrg-cpace.md and
// testvectors.json, section "Test vector for CPace using group X25519 and
// hash SHA-512").

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrependLenVectors(t *testing.T) {
	r127 := make([]byte, 127)
	r128 := make([]byte, 128)
	for i := range r128 {
		r128[i] = byte(i)
		if i < 127 {
			r127[i] = byte(i)
		}
	}
	for _, c := range []struct {
		in   []byte
		want []byte
	}{
		{nil, unhex(t, "00")},
		{[]byte("1234"), unhex(t, "0431323334")},
		{r127, append([]byte{0x7f}, r127...)},
		{r128, append([]byte{0x80, 0x01}, r128...)},
	} {
		if got := prependLen(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("prepend_len(len %d) = %x, want %x", len(c.in), got, c.want)
		}
	}
	if got := appendLen(nil, 300); !bytes.Equal(got, []byte{0xac, 0x02}) {
		t.Errorf("LEB128(300) = %x", got)
	}
	got := lvCat([]byte("1234"), []byte("5"), nil, []byte("678"))
	if want := unhex(t, "043132333401350003363738"); !bytes.Equal(got, want) {
		t.Errorf("lv_cat = %x, want %x", got, want)
	}
}

func TestTranscriptIRVectors(t *testing.T) {
	got := transcriptIR([]byte("123"), []byte("PartyA"), []byte("234"), []byte("PartyB"))
	if want := unhex(t, "03313233065061727479410332333406506172747942"); !bytes.Equal(got, want) {
		t.Errorf("transcript_ir = %x", got)
	}
	got = transcriptIR([]byte("3456"), []byte("PartyA"), []byte("2345"), []byte("PartyB"))
	if want := unhex(t, "043334353606506172747941043233343506506172747942"); !bytes.Equal(got, want) {
		t.Errorf("transcript_ir = %x", got)
	}
}

// X25519 suite vector inputs.
var (
	tvPRS = []byte("Password")
	tvCI  = "0b415f696e69746961746f720b425f726573706f6e646572"
	tvSID = "7e4b4791d6a8ef019b936c79fb7f2c57"
	tvADa = []byte("ADa")
	tvADb = []byte("ADb")
	tvya  = "21b4f4bd9e64ed355c3eb676a28ebedaf6d8f17bdc365995b319097153044080"
	tvyb  = "848b0779ff415f0af4ea14df9dd1d3c29ac41d836c7808896c4eba19c51ac40a"
)

func TestGeneratorVectors(t *testing.T) {
	ci, sid := unhex(t, tvCI), unhex(t, tvSID)
	gs := generatorString(tvPRS, ci, sid)
	wantGS := unhex(t, `0843506163653235350850617373776f72646d000000000000000000
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000180b415f696e69746961746f
      720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f
      2c57`)
	if !bytes.Equal(gs, wantGS) {
		t.Fatalf("generator_string =\n%x\nwant\n%x", gs, wantGS)
	}
	h := sha512.Sum512(gs)
	if want := unhex(t, "03998087bdb1a2617bbe25ef5a7c18cd4f84f902328701790958755ee4aed1d3"); !bytes.Equal(h[:32], want) {
		t.Fatalf("hash generator string = %x", h[:32])
	}
	u, _ := new(field.Element).SetBytes(h[:32])
	if want := unhex(t, "03998087bdb1a2617bbe25ef5a7c18cd4f84f902328701790958755ee4aed153"); !bytes.Equal(u.Bytes(), want) {
		t.Fatalf("decoded field element = %x", u.Bytes())
	}
	g := calculateGenerator(tvPRS, ci, sid)
	if want := unhex(t, "d04bf6d41f6a289632a2e929fa29bebd51092512a7829fdde7d314b62f05a73f"); !bytes.Equal(g[:], want) {
		t.Fatalf("generator g = %x", g)
	}
}

func TestProtocolVectors(t *testing.T) {
	ci, sid := unhex(t, tvCI), unhex(t, tvSID)
	g := calculateGenerator(tvPRS, ci, sid)
	ya, err := ecdh.X25519().NewPrivateKey(unhex(t, tvya))
	if err != nil {
		t.Fatal(err)
	}
	yb, _ := ecdh.X25519().NewPrivateKey(unhex(t, tvyb))
	Ya, ok := scalarMultVfy(ya, g[:])
	if want := unhex(t, "1d13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc989ce0c9f32"); !ok || !bytes.Equal(Ya[:], want) {
		t.Fatalf("Ya = %x", Ya)
	}
	Yb, ok := scalarMultVfy(yb, g[:])
	if want := unhex(t, "248cccf6d5cdc3646f0ad593f9e6cef4e69d4945f8372e623512ecea32185623"); !ok || !bytes.Equal(Yb[:], want) {
		t.Fatalf("Yb = %x", Yb)
	}
	wantK := unhex(t, "5b067effbdc0b2a0e1d907b21ebb25cfedb96a852179a847c37e43ee71322c6b")
	Ka, ok1 := scalarMultVfy(ya, Yb[:])
	Kb, ok2 := scalarMultVfy(yb, Ya[:])
	if !ok1 || !ok2 || !bytes.Equal(Ka[:], wantK) || !bytes.Equal(Kb[:], wantK) {
		t.Fatalf("K = %x / %x", Ka, Kb)
	}
	tr := transcriptIR(Ya[:], tvADa, Yb[:], tvADb)
	wantTr := unhex(t, `201d13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc9
      89ce0c9f320341446120248cccf6d5cdc3646f0ad593f9e6cef4e69d
      4945f8372e623512ecea3218562303414462`)
	if !bytes.Equal(tr, wantTr) {
		t.Fatalf("transcript_ir = %x", tr)
	}
	isk := computeISK(sid, Ka[:], Ya[:], tvADa, Yb[:], tvADb)
	wantISK := unhex(t, `6e19b875f7a561d6b3ca3dbb9ef42ac55de3e717881018204b8922b4
      d5e53bb2aa82c300bea7b65d2b671da71922ddf6472301b79bc270ad
      fa8bf413285f2263`)
	if !bytes.Equal(isk[:], wantISK) {
		t.Fatalf("ISK = %x", isk)
	}
}

// TestLowOrderVectors: G_X25519.scalar_mult_vfy on the draft's low-order
// and non-canonical u-coordinates. u0..u5 and u7 give the neutral element
// (abort); u6, u8..ub have bit 255 set or are non-canonical and must give
// the listed results.
func TestLowOrderVectors(t *testing.T) {
	s, err := ecdh.X25519().NewPrivateKey(unhex(t, "af46e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449aff"))
	if err != nil {
		t.Fatal(err)
	}
	zero := strings.Repeat("00", 32)
	for i, c := range []struct{ u, q string }{
		{"0000000000000000000000000000000000000000000000000000000000000000", zero},
		{"0100000000000000000000000000000000000000000000000000000000000000", zero},
		{"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", zero},
		{"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", zero},
		{"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", zero},
		{"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", zero},
		{"daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "d8e2c776bbacd510d09fd9278b7edcd25fc5ae9adfba3b6e040e8d3b71b21806"},
		{"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", zero},
		{"dbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "c85c655ebe8be44ba9c0ffde69f2fe10194458d137f09bbff725ce58803cdb38"},
		{"d9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "db64dafa9b8fdd136914e61461935fe92aa372cb056314e1231bc4ec12417456"},
		{"cdeb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880", "e062dcd5376d58297be2618c7498f55baa07d7e03184e8aada20bca28888bf7a"},
		{"4c9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7", "993c6ad11c4c29da9a56f7691fd0ff8d732e49de6250b6c2e80003ff4629a175"},
	} {
		q, ok := scalarMultVfy(s, unhex(t, c.u))
		if hex.EncodeToString(q[:]) != c.q || ok != (c.q != zero) {
			t.Errorf("u%x: scalar_mult_vfy = %x (ok %v), want %s", i, q, ok, c.q)
		}
	}
	// Bad lengths are the abort case too.
	for _, n := range []int{0, 31, 33} {
		if _, ok := scalarMultVfy(s, make([]byte, n)); ok {
			t.Errorf("length %d accepted", n)
		}
	}
}

// TestElligator2Properties checks the map beyond the vector: its output is
// always a u-coordinate on the curve (u^3 + A u^2 + u is a square) and
// canonical, for random and edge inputs.
func TestElligator2Properties(t *testing.T) {
	var one field.Element
	one.One()
	inputs := [][]byte{make([]byte, 32), unhex(t, "0100000000000000000000000000000000000000000000000000000000000000")}
	for i := range 200 {
		h := sha512.Sum512([]byte{byte(i), byte(i >> 8)})
		inputs = append(inputs, h[:32])
	}
	for _, in := range inputs {
		r, _ := new(field.Element).SetBytes(in)
		out := elligator2(r)
		u, _ := new(field.Element).SetBytes(out[:])
		if !bytes.Equal(u.Bytes(), out[:]) {
			t.Fatalf("non-canonical output %x", out)
		}
		var gx field.Element
		gx.Add(u, &curveA)
		gx.Multiply(&gx, u)
		gx.Add(&gx, &one)
		gx.Multiply(&gx, u)
		if _, sq := new(field.Element).SqrtRatio(&gx, &one); sq != 1 {
			t.Fatalf("elligator2(%x) = %x is not on the curve", in, out)
		}
	}
}

// oCat and transcriptOC are the draft's symmetric-setting helpers. The
// package runs CPace in the initiator-responder setting only; they are
// here to check the remaining X25519 vectors (ISK for parallel execution,
// sid_output) against the same building blocks.
func oCat(a, b []byte) []byte {
	if bytes.Compare(a, b) > 0 {
		return append(append([]byte("oc"), a...), b...)
	}
	return append(append([]byte("oc"), b...), a...)
}

func TestSymmetricAndSidOutputVectors(t *testing.T) {
	if got := oCat([]byte("ABCD"), []byte("BCD")); !bytes.Equal(got, unhex(t, "6f6342434441424344")) {
		t.Errorf("o_cat = %x", got)
	}
	if got := oCat([]byte("BCD"), []byte("ABCDE")); !bytes.Equal(got, unhex(t, "6f634243444142434445")) {
		t.Errorf("o_cat = %x", got)
	}
	ci, sid := unhex(t, tvCI), unhex(t, tvSID)
	g := calculateGenerator(tvPRS, ci, sid)
	ya, _ := ecdh.X25519().NewPrivateKey(unhex(t, tvya))
	yb, _ := ecdh.X25519().NewPrivateKey(unhex(t, tvyb))
	Ya, _ := scalarMultVfy(ya, g[:])
	Yb, _ := scalarMultVfy(yb, g[:])
	K, _ := scalarMultVfy(ya, Yb[:])
	toc := oCat(lvCat(Ya[:], tvADa), lvCat(Yb[:], tvADb))
	isk := sha512.Sum512(append(lvCat([]byte(dsi+"_ISK"), sid, K[:]), toc...))
	if want := unhex(t, "eef745e2f6e7ae2b1a1e53da340e777167a07fe150436648c51fb199c11f3cbabfc683a2b48e1af5881940dc398d375c95e6b4ae9948a45b8770de0656382be4"); !bytes.Equal(isk[:], want) {
		t.Errorf("ISK (parallel) = %x", isk)
	}
	so := sha512.Sum512(append([]byte("CPaceSidOutput"), transcriptIR(Ya[:], tvADa, Yb[:], tvADb)...))
	if want := unhex(t, "cbc73f62589bbc96ab6a95ec2363df621e93bc3b0cea83ba6b9571d005fa8f5d2d08f7165622777fa484c02a9e6b20a84ee2dbebae8c53be757dcfc0eebdeb5f"); !bytes.Equal(so[:], want) {
		t.Errorf("sid_output (ir) = %x", so)
	}
	so = sha512.Sum512(append([]byte("CPaceSidOutput"), toc...))
	if want := unhex(t, "3a504e9c7f1f7fa7314861e2c487d13f28566f3043f0ca760d22c4911aca0dd8b1f12a7ad0862eb92d08a76120140412ae6b8322e99d75cf1d20d8cfde2b40fe"); !bytes.Equal(so[:], want) {
		t.Errorf("sid_output (oc) = %x", so)
	}
}
