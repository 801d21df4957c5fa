#!/usr/bin/env python3
"""A stdlib-only stand-in for a Python cable_car 1.0.1 peer, written from
shared/WIRE.md. It speaks the "byte" and "json" transports the way cable_car's
Messenger does: select() with a zero timeout, reads of up to 1024 bytes,
frames peeled one at a time off an unbounded buffer, no handshake.

Modes:
  client ADDR TRANSPORT   connect, send the built-ins, expect each back,
                          print one line per message, exit 0 if all match.
  echo PORT TRANSPORT     accept one connection on 127.0.0.1:PORT (0 = any)
                          and send back every message until the peer closes;
                          prints "listening PORT" first.
"""
import json
import select
import socket
import sys
import time

BYTE_CODES = {1: "MsgIdentify", 2: "MsgJoin", 3: "MsgRetry", 4: "MsgQuit"}
CODE_OF = {v: k for k, v in BYTE_CODES.items()}


class Msg:
    def __init__(self, name, **attrs):
        self.name = name
        self.attrs = attrs

    def __eq__(self, other):
        return self.name == other.name and self.attrs == other.attrs

    def __repr__(self):
        return "%s%r" % (self.name, self.attrs)


def encode_byte(m):
    payload = b""
    if m.name == "MsgIdentify":
        payload = ("%s@%s" % (m.attrs["username"], m.attrs["hostname"])).encode("ascii")
    frame = bytes([len(payload) + 2, CODE_OF[m.name]]) + payload
    assert len(frame) <= 255
    return frame


def decode_byte(buf):
    if len(buf) < 2 or len(buf) < buf[0]:
        return None, 0
    n = buf[0]
    code, payload = buf[1], buf[2:n]
    name = BYTE_CODES[code]  # raises on an unknown code, like cable_car
    if name == "MsgIdentify":
        user, host = payload.decode("ascii").split("@", 1)
        return Msg(name, username=user, hostname=host), n
    return Msg(name), n


def encode_json(m):
    return (json.dumps([m.name, m.attrs], separators=(",", ":")) + "\n").encode("utf-8")


def decode_json(buf):
    i = buf.find(b"\n")
    if i < 0:
        return None, 0
    name, attrs = json.loads(buf[:i].decode("utf-8"))
    if name not in CODE_OF:
        raise ValueError("unknown class %r" % name)
    return Msg(name, **attrs), i + 1


class Messenger:
    def __init__(self, sock, transport):
        self.sock = sock
        self.sock.setblocking(False)
        self.enc, self.dec = {
            "byte": (encode_byte, decode_byte),
            "json": (encode_json, decode_json),
        }[transport]
        self.rbuf = b""
        self.wbuf = b""
        self.closed = False

    def send(self, m):
        self.wbuf += self.enc(m)

    def xfer(self):
        r, w, _ = select.select([self.sock], [self.sock] if self.wbuf else [], [], 0)
        if r:
            data = self.sock.recv(1024)
            if not data:
                self.closed = True
            self.rbuf += data
        if w and self.wbuf:
            n = self.sock.send(self.wbuf)
            self.wbuf = self.wbuf[n:]

    def get(self):
        m, n = self.dec(self.rbuf)
        if m is None:
            return None
        self.rbuf = self.rbuf[n:]
        return m


def builtins():
    return [
        Msg("MsgIdentify", username="pyuser", hostname="pyhost"),
        Msg("MsgJoin"),
        Msg("MsgRetry"),
        Msg("MsgQuit"),
    ]


def client(addr, transport):
    host, port = addr.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5)
    m = Messenger(sock, transport)
    want = builtins()
    for msg in want:
        m.send(msg)
    got = []
    deadline = time.time() + 10
    while len(got) < len(want) and time.time() < deadline and not m.closed:
        m.xfer()
        msg = m.get()
        while msg is not None:
            print("received %r" % (msg,), flush=True)
            got.append(msg)
            msg = m.get()
        time.sleep(0.001)
    sock.close()
    if got != want:
        print("MISMATCH: want %r got %r" % (want, got), flush=True)
        return 1
    print("ok %d messages" % len(got), flush=True)
    return 0


def echo(port, transport):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(1)
    print("listening %d" % ls.getsockname()[1], flush=True)
    ls.settimeout(20)
    sock, _ = ls.accept()
    m = Messenger(sock, transport)
    deadline = time.time() + 20
    while not m.closed and time.time() < deadline:
        m.xfer()
        msg = m.get()
        while msg is not None:
            print("echo %r" % (msg,), flush=True)
            m.send(msg)
            msg = m.get()
        time.sleep(0.001)
    while m.wbuf and time.time() < deadline:
        m.xfer()
    sock.close()
    return 0


if __name__ == "__main__":
    mode, arg, transport = sys.argv[1:4]
    sys.exit(client(arg, transport) if mode == "client" else echo(arg, transport))
