package message

import (
	"bytes"
	"errors"
	"os"
	"os/user"
	"strings"
)

// Byte codes of the built-in messages (cable_car 1.0.1).
const (
	CodeIdentify byte = 0x01
	CodeJoin     byte = 0x02
	CodeRetry    byte = 0x03
	CodeQuit     byte = 0x04
)

// MsgIdentify tells the peer who we are. Byte payload: the ASCII text
// "username@hostname"; JSON: ["MsgIdentify",{"username":"...","hostname":"..."}].
type MsgIdentify struct {
	Username string `json:"username" msgpack:"username"`
	Hostname string `json:"hostname" msgpack:"hostname"`
}

// NewIdentify returns a MsgIdentify with the user and host names of this
// process, taken from the OS (see FillFromOS).
func NewIdentify() *MsgIdentify {
	m := new(MsgIdentify)
	m.FillFromOS()
	return m
}

// FillFromOS sets the fields that are empty from the OS: Username as
// Python's getpass.getuser finds it (the LOGNAME, USER, LNAME or USERNAME
// environment variable, else the account of the process), Hostname from
// os.Hostname. A name that cannot be found becomes "unknown".
func (m *MsgIdentify) FillFromOS() {
	if m.Username == "" {
		m.Username = osUsername()
	}
	if m.Hostname == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			m.Hostname = h
		} else {
			m.Hostname = "unknown"
		}
	}
}

func osUsername() string {
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		name := u.Username
		if i := strings.LastIndexByte(name, '\\'); i >= 0 { // Windows: DOMAIN\user
			name = name[i+1:]
		}
		return name
	}
	return "unknown"
}

// MessageName returns "MsgIdentify".
func (*MsgIdentify) MessageName() string { return "MsgIdentify" }

// ByteCode returns CodeIdentify (0x01).
func (*MsgIdentify) ByteCode() byte { return CodeIdentify }

var (
	errIdentifyASCII = errors.New("MsgIdentify: username and hostname must be ASCII")
	errIdentifyAt    = errors.New("MsgIdentify: username must not contain '@'")
	errIdentifyNoAt  = errors.New("MsgIdentify: payload has no '@'")
)

// AppendPayload appends "username@hostname". Both must be ASCII (cable_car
// encodes the payload as ASCII) and the username must not contain '@' (the
// peer splits at the first one).
func (m *MsgIdentify) AppendPayload(dst []byte) ([]byte, error) {
	if !isASCII(m.Username) || !isASCII(m.Hostname) {
		return dst, errIdentifyASCII
	}
	if strings.IndexByte(m.Username, '@') >= 0 {
		return dst, errIdentifyAt
	}
	dst = append(dst, m.Username...)
	dst = append(dst, '@')
	return append(dst, m.Hostname...), nil
}

// DecodePayload splits p at its first '@' into Username and Hostname, as
// cable_car does. p must be ASCII.
func (m *MsgIdentify) DecodePayload(p []byte) error {
	for _, b := range p {
		if b >= 0x80 {
			return errIdentifyASCII
		}
	}
	i := bytes.IndexByte(p, '@')
	if i < 0 {
		return errIdentifyNoAt
	}
	m.Username = string(p[:i])
	m.Hostname = string(p[i+1:])
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// MsgJoin asks to join (cable_car code 0x02, no payload, no fields).
type MsgJoin struct{}

// MessageName returns "MsgJoin".
func (*MsgJoin) MessageName() string { return "MsgJoin" }

// ByteCode returns CodeJoin (0x02).
func (*MsgJoin) ByteCode() byte { return CodeJoin }

// MsgRetry asks the peer to try again (cable_car code 0x03, no payload, no fields).
type MsgRetry struct{}

// MessageName returns "MsgRetry".
func (*MsgRetry) MessageName() string { return "MsgRetry" }

// ByteCode returns CodeRetry (0x03).
func (*MsgRetry) ByteCode() byte { return CodeRetry }

// MsgQuit says goodbye (cable_car code 0x04, no payload, no fields).
type MsgQuit struct{}

// MessageName returns "MsgQuit".
func (*MsgQuit) MessageName() string { return "MsgQuit" }

// ByteCode returns CodeQuit (0x04).
func (*MsgQuit) ByteCode() byte { return CodeQuit }

// builtinByteFactories are registered by every New*Codec.
var builtinByteFactories = []func() ByteMessage{
	func() ByteMessage { return new(MsgIdentify) },
	func() ByteMessage { return new(MsgJoin) },
	func() ByteMessage { return new(MsgRetry) },
	func() ByteMessage { return new(MsgQuit) },
}
