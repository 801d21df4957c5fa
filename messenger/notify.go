package messenger

// Waiting for many Messengers at once.
//
// Recv waits for one Messenger. A program that pumps several (a room of
// peers) and has nothing else to do gives each the same channel with
// Notify and, before it sleeps, calls Ready on each: the Messengers then
// signal the channel when one of them has something for its next Xfer.
//
//	wake := make(chan struct{}, 1)
//	for _, m := range ms {
//		m.Notify(wake)
//	}
//	for {
//		// ... Xfer and Get on each ...
//		ready := false
//		for _, m := range ms {
//			ready = m.Ready() || ready // arm every one, even after one is ready
//		}
//		if !ready {
//			<-wake // or a select with ctx.Done() and timers of its own
//		}
//	}

// notifier holds a Notify channel.
type notifier struct{ ch chan<- struct{} }

// Notify sets the channel that the Messenger signals, with a send that
// never blocks (give ch a buffer of 1; a full channel already holds a
// signal), each time something may have happened for the next Xfer: bytes
// arrived (once Ready has asked for it, see Ready), the connection ended
// or failed, a write in the background finished, or a tick is due (a
// ping, the PeerTimeout check, the rates). Signals may be spurious. nil
// stops the signals. Notify may be called from any goroutine; several
// Messengers may share one channel. The signals come from the Messenger's
// goroutines; Xfer, Get and Send never send on ch.
func (m *Messenger) Notify(ch chan<- struct{}) {
	if ch == nil {
		m.notify.Store(nil)
		return
	}
	m.notify.Store(&notifier{ch: ch})
}

// Ready prepares a wait on the Notify channel and reports whether the next
// Xfer (or Get) has something to do already, in which case the caller
// should call them rather than wait: bytes received and not yet decoded,
// frames queued by Send and not yet written, events of the Messenger's
// goroutines not yet taken, the end of the connection. When it returns false, the Notify channel is
// signalled when bytes arrive (or any of the other reasons of Notify):
// on a direct connection (see DirectConn), where Xfer reads the socket
// itself, Ready has the Messenger's watch goroutine wait in the runtime's
// network poller for readability, and starts the ticker again if a busy
// connection had stopped it. Call it after the last Xfer and Get before
// the wait, from the goroutine that calls Xfer; it never blocks and does
// not allocate. Set the channel with Notify first, or signals may be lost.
func (m *Messenger) Ready() bool {
	return m.prepareWait(true)
}
