package leakcheck

import (
	"strings"
	"testing"
)

func TestFindReportsAndForgets(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the "leak"
		defer close(done)
		<-stop
	}()
	err := find(0)
	if err == nil || !strings.Contains(err.Error(), "TestFindReportsAndForgets") {
		t.Fatalf("find with a goroutine running = %v, want a report naming it", err)
	}
	close(stop)
	<-done
	if err := find(grace); err != nil {
		t.Fatalf("find after the goroutine ended = %v", err)
	}
}
