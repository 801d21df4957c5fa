#!/usr/bin/env python3
"""A stdlib-only stand-in for cable_car 1.0.1's cpu_mon example, written from
shared/WIRE.md, confined to loopback.

Wire behaviour emulated:
  - discovery: the 9-byte datagram "BROADCAST" ~0.1 s after start, then every
    --beacon-interval seconds, to the UDP port; any datagram arriving on the
    UDP port counts as a beacon; on one from address A (not our own), dial
    A:TCP_PORT (2 s timeout) unless A is already in the socket table; accept
    every TCP connection; the table is keyed by peer IP and keeps the first
    socket; every connection (dialled or accepted) fires on_connect.
  - messages: JSON transport, one line ["ClassName",{...}] per message,
    compact separators; a Messenger per connection that does one zero-timeout
    select() per xfer() and reads up to 1024 bytes.
  - cpu_mon: on connect, send one MsgStats; the main loop passes every 0.25 s
    and, once the first --interval has passed, sends a MsgStats to every peer
    on EVERY pass (cpu_mon never advances its next-update time).

Deviations, all for a test on one machine: beacons go to 127.255.255.255
(never 255.255.255.255), the TCP socket and the dialling sockets are bound to
--ip (another 127.x address than the Go side's 127.0.0.1, since both bind
the same TCP port), only 127.0.0.0/8 addresses are dialled, and a closed
connection is dropped from the list (and printed) rather than kept.

Output, one line per event, flushed:
  listening IP TCP_PORT UDP_PORT      first line, sockets bound
  connected IP dial|accept            a connection (on_connect fired)
  recv {"from":IP,"class":NAME,"keys":[...],"attrs":{...},"t":UNIX_TIME}
                                      one message received, parsed
  sent IP N                           N MsgStats queued to IP so far
  closed IP                           the peer closed the connection
  error ...                           what cable_car would raise or log
It exits after --duration seconds, or on SIGINT/SIGTERM.
"""
import argparse
import errno
import glob
import json
import os
import select
import signal
import socket
import sys
import time

CLASSES = {"MsgStats", "MsgIdentify", "MsgJoin", "MsgRetry", "MsgQuit"}
LOOPBACK_BROADCAST = "127.255.255.255"
PASS = 0.25  # cpu_mon's main loop period


def out(*parts):
    print(*parts, flush=True)


# --- stats, as cpu_mon gathers them with psutil, read from /proc -------------

class CPU:
    """psutil.cpu_percent() without an interval: busy share since last call."""

    def __init__(self):
        self.last = self.read()

    @staticmethod
    def read():
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
        return sum(vals), idle

    def percent(self):
        total, idle = self.read()
        dt, di = total - self.last[0], idle - self.last[1]
        self.last = (total, idle)
        if dt <= 0:
            return 0.0
        return round(100.0 * (dt - di) / dt, 1)


def meminfo():
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            info[k] = int(v.split()[0]) * 1024
    return info


def coretemp():
    for d in glob.glob("/sys/class/hwmon/hwmon*"):
        try:
            with open(os.path.join(d, "name")) as f:
                if f.read().strip() != "coretemp":
                    continue
            with open(os.path.join(d, "temp1_input")) as f:
                return int(f.read()) / 1000.0
        except OSError:
            continue
    return None


def stats(host, cpu):
    """cpu_mon's MsgStats attributes, in its order."""
    m = meminfo()
    total, avail = m["MemTotal"], m.get("MemAvailable", m["MemFree"])
    swap_total = m.get("SwapTotal", 0)
    swap_used = swap_total - m.get("SwapFree", 0)
    attrs = {
        "host": host,
        "cpu_percent": cpu.percent(),
        "load_avg": list(os.getloadavg()),
        "memory_percent": round(100.0 * (total - avail) / total, 1),
        "memory_total": total,
        "swap_percent": round(100.0 * swap_used / swap_total, 1) if swap_total else 0.0,
        "swap_total": swap_total,
    }
    t = coretemp()
    if t is not None:
        attrs["temp"] = t
    return attrs


# --- the JSON transport -------------------------------------------------------

def encode(name, attrs):
    return (json.dumps([name, attrs], separators=(",", ":")) + "\n").encode("utf-8")


class Messenger:
    def __init__(self, sock, ip):
        self.sock = sock
        self.ip = ip
        sock.setblocking(False)
        self.rbuf = b""
        self.wbuf = b""
        self.closed = False
        self.sent = 0  # MsgStats queued

    def send(self, name, attrs):
        self.wbuf += encode(name, attrs)

    def xfer(self):
        r, w, _ = select.select([self.sock], [self.sock] if self.wbuf else [], [], 0)
        if r:
            try:
                data = self.sock.recv(1024)
            except OSError:
                data = b""
            if not data:
                self.closed = True
            self.rbuf += data
        if w and self.wbuf and not self.closed:
            try:
                n = self.sock.send(self.wbuf)
                self.wbuf = self.wbuf[n:]
            except OSError:
                self.closed = True

    def get(self):
        i = self.rbuf.find(b"\n")
        if i < 0:
            return None
        line, self.rbuf = self.rbuf[:i], self.rbuf[i + 1:]
        try:
            name, attrs = json.loads(line.decode("utf-8"))
        except ValueError as e:  # cable_car logs this and stalls
            out("error bad JSON line %r: %s" % (line, e))
            return None
        if name not in CLASSES:  # cable_car raises
            out("error unknown class %r" % (name,))
            return None
        return name, attrs


# --- cpu_mon ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ip", default="127.0.0.2", help="loopback address to use")
    ap.add_argument("--udp-port", type=int, default=8226)
    ap.add_argument("--tcp-port", type=int, default=8227)
    ap.add_argument("--host", default="pyhost", help="the host attribute sent")
    ap.add_argument("--interval", type=float, default=3.0, help="cpu_mon's update interval")
    ap.add_argument("--beacon-interval", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=60.0, help="exit after this many seconds")
    a = ap.parse_args()
    if not a.ip.startswith("127."):
        sys.exit("cpu_mon_peer: --ip must be a 127.x address")

    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    udp.bind(("0.0.0.0", a.udp_port))
    beacon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    beacon.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    beacon.bind((a.ip, 0))
    acceptor = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    acceptor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        acceptor.bind((a.ip, a.tcp_port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            out("busy %s:%d" % (a.ip, a.tcp_port))
            return 3
        raise
    acceptor.listen(16)
    out("listening %s %d %d" % (a.ip, a.tcp_port, a.udp_port))

    cpu = CPU()
    table = {}  # peer IP -> first socket (cable_car's socket table)
    messengers = []

    def on_connect(sock, ip, how):
        table.setdefault(ip, sock)
        out("connected %s %s" % (ip, how))
        m = Messenger(sock, ip)
        send_stats(m, stats(a.host, cpu))  # cpu_mon: one at once
        messengers.append(m)

    def send_stats(m, attrs):
        m.send("MsgStats", attrs)
        m.sent += 1
        out("sent %s %d" % (m.ip, m.sent))

    def heard(ip):
        if ip == a.ip or ip in table or not ip.startswith("127."):
            return
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((a.ip, 0))
        s.settimeout(2.0)
        try:
            s.connect((ip, a.tcp_port))
        except OSError as e:
            out("error dialling %s: %s" % (ip, e))
            s.close()
            return
        on_connect(s, ip, "dial")

    start = time.time()
    next_beacon = start + 0.1
    next_update = start + a.interval
    next_pass = start + PASS
    while not stop and time.time() - start < a.duration:
        # Discovery (cable_car runs it on threads) until the next pass.
        while not stop:
            now = time.time()
            if now >= next_beacon:
                beacon.sendto(b"BROADCAST", (LOOPBACK_BROADCAST, a.udp_port))
                next_beacon = now + a.beacon_interval
            wait = min(next_pass, next_beacon) - now
            if wait <= 0:
                break
            try:
                r, _, _ = select.select([udp, acceptor], [], [], wait)
            except InterruptedError:
                continue
            if udp in r:
                _, (ip, _) = udp.recvfrom(2048)
                heard(ip)
            if acceptor in r:
                s, (ip, _) = acceptor.accept()
                on_connect(s, ip, "accept")
        if time.time() < next_pass:
            continue
        next_pass += PASS
        # cpu_mon's pass: move bytes, print what came, send when due.
        for m in list(messengers):
            m.xfer()
            msg = m.get()
            while msg is not None:
                name, attrs = msg
                keys = list(attrs) if isinstance(attrs, dict) else None
                out("recv " + json.dumps({"from": m.ip, "class": name, "keys": keys,
                                          "attrs": attrs, "t": time.time()}))
                msg = m.get()
            if m.closed:
                out("closed %s" % m.ip)
                m.sock.close()
                messengers.remove(m)
        if time.time() >= next_update:  # never advanced: every pass from now on
            s = stats(a.host, cpu)
            for m in messengers:
                send_stats(m, s)
    for m in messengers:
        m.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
