package connector

import "errors"

// Sentinels of the doctor (Diagnose) and of discovery that found nobody
// (Connect, Progress.Problem). Findings and errors wrap them with %w.
var (
	// ErrNoInterface: no interface is up, broadcast-capable and selected
	// (BroadcastConfig.Interfaces), so beacons go nowhere.
	ErrNoInterface = errors.New("connector: no usable interface")

	// ErrNoSuchInterface: BroadcastConfig.Interfaces names an interface
	// this host does not have.
	ErrNoSuchInterface = errors.New("connector: no such interface")

	// ErrSendFailed: every beacon send failed (the error also wraps the
	// last send error).
	ErrSendFailed = errors.New("connector: beacons cannot be sent")

	// ErrPortInUse: the beacon port or the fixed TCP port cannot be bound
	// (another process holds it without sharing it).
	ErrPortInUse = errors.New("connector: port in use")

	// ErrNoEcho: our own beacons do not come back to us: the host does not
	// receive broadcasts on the beacon port (usually a firewall).
	ErrNoEcho = errors.New("connector: own beacon not received")

	// ErrFirewall: a firewall rule drops the beacon or TCP port.
	ErrFirewall = errors.New("connector: firewall drops discovery")

	// ErrForeignApp: beacons of another application id were heard.
	ErrForeignApp = errors.New("connector: beacons of another application")

	// ErrOtherVersion: beacons of another cablecar protocol version were
	// heard.
	ErrOtherVersion = errors.New("connector: beacons of another protocol version")

	// ErrCompatPeer: cable_car's "BROADCAST" beacons were heard while in
	// native mode (a Python peer, or a Go peer in compat mode), or native
	// beacons while in compat mode.
	ErrCompatPeer = errors.New("connector: beacons of the other mode (compat/native)")

	// ErrGarbage: datagrams that are no beacon at all arrive on the port.
	ErrGarbage = errors.New("connector: garbage on the beacon port")

	// ErrMDNS: the Discoverer (mDNS) did not find our own announcement.
	ErrMDNS = errors.New("connector: discoverer does not find itself")

	// ErrNoConnection: peers of this application were heard, but no
	// connection to any of them was made (dials failed or were rejected).
	ErrNoConnection = errors.New("connector: peers heard, none connected")

	// ErrNobodyHeard: no peer of this application has been heard, and
	// nothing else explains why.
	ErrNobodyHeard = errors.New("connector: no peer heard")
)
