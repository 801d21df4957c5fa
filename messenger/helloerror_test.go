package messenger

import (
	"fmt"
	"strings"
	"testing"
)

// TestHelloErrorSecretMismatch: a version mismatch between a Messenger with
// a Secret and one without says so (the versions are ProtocolVersion and
// SecureProtocolVersion), and another mismatch does not.
func TestHelloErrorSecretMismatch(t *testing.T) {
	plain, sealed := fmt.Sprint(ProtocolVersion), fmt.Sprint(SecureProtocolVersion)
	for _, e := range []*HelloError{{Field: "version", Local: plain, Remote: sealed}, {Field: "version", Local: sealed, Remote: plain}} {
		if !strings.Contains(e.Error(), "one side has a code or password and the other has none") {
			t.Errorf("%q does not say one side has a secret", e.Error())
		}
	}
	if e := (&HelloError{Field: "version", Local: plain, Remote: "2"}); strings.Contains(e.Error(), "code or password") {
		t.Errorf("%q blames a secret for an old peer", e.Error())
	}
}
