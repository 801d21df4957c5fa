package message

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONNamesFindsEveryName fills the name table with many names, among
// them names that hash alike (same length, same first and last 8 bytes),
// and checks that each is found and that names not added are not.
func TestJSONNamesFindsEveryName(t *testing.T) {
	t.Parallel()
	var names []string
	for i := range 600 {
		names = append(names,
			fmt.Sprintf("Msg%04d", i),
			fmt.Sprintf("PlayerUpdate%03dWithALongSuffix", i), // differ in the middle only
			strings.Repeat("x", i%40),                         // "" too
		)
	}
	var tab jsonNames
	added := make(map[string]*jsonEntry)
	for _, n := range names {
		if added[n] != nil {
			continue
		}
		e := &jsonEntry{name: n}
		tab.add(e)
		added[n] = e
	}
	if tab.n != len(added) || 2*tab.n > len(tab.slots) {
		t.Fatalf("%d names in %d slots, want %d at most half full", tab.n, len(tab.slots), len(added))
	}
	for n, e := range added {
		if got := tab.get([]byte(n)); got != e {
			t.Fatalf("get(%q) = %v, want its entry", n, got)
		}
		for _, absent := range []string{n + "?", "?" + n, strings.ToLower(n) + "_"} {
			if got := tab.get([]byte(absent)); got != nil {
				t.Fatalf("get(%q) = entry %q, want nil", absent, got.name)
			}
		}
	}
	var empty jsonNames
	if empty.get([]byte("Msg0001")) != nil || empty.get(nil) != nil {
		t.Fatal("empty table found a name")
	}
}
