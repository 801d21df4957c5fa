// Package mdns adds mDNS/DNS-SD discovery to a connector.BroadcastConnector,
// for networks that filter broadcast but pass multicast. Plug it in with
//
//	cfg := &connector.BroadcastConfig{Discovery: mdns.New()}
//
// (with DiscoveryOnly set as well, no broadcast beacons are sent or heard).
// It lives in its own package so that programs that do not import it do not
// link its mDNS and DNS code (github.com/hashicorp/mdns, github.com/miekg/dns).
//
// Each connector advertises the service "_cablecar._tcp.local." on every
// up, multicast-capable IPv4 interface (BroadcastConfig.Interfaces
// restricts them), instance "<peer id>-<interface>", host "<peer
// id>.local.", SRV port = the TCP port, and TXT records
//
//	v=1  app=<application id>  id=<peer id, 16 hex digits>  name=<display name>
//	quiet=1   (only once discovery has ended: do not dial, do not expire)
//
// and browses for it every Interval on each interface. Answers of its
// application, with an address on the querying interface's subnets, reach
// the connector as sightings: the same peer table as beacons, so a peer
// found both ways is one peer.
//
// The responder (responder.go) follows RFC 6762 where browsers notice: IP
// TTL 255, multicast answers to multicast queries (unicast to QU and legacy
// queries), known-answer suppression, announcements, and goodbyes (records
// with TTL 0) on Stop, so avahi and Bonjour list a stopped connector for
// about a second, not for the records' TTL of 120 s. It shares port 5353
// with the host's other responders. The package is tested only inside
// network namespaces, against a real avahi-daemon where one is installed.
package mdns
