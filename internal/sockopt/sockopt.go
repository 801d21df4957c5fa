// Package sockopt sets the socket options that connector and
// connector/mdns share, from a net.ListenConfig's Control function.
package sockopt
