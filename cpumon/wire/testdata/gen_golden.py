#!/usr/bin/env python3
"""Writes the golden files of package wire with Python's own json module.

msgstats_golden.jsonl: MsgStats frames exactly as cable_car 1.0.1's
Message.encoded() writes them for its cpu_mon example:
json.dumps([class name, obj.__dict__], separators=(',', ':')) + "\\n", with the
attributes set in the order MsgStats.__init__ sets them (host, cpu_percent,
load_avg, memory_percent, memory_total, swap_percent, swap_total, then temp
only when a coretemp sensor exists). load_avg is psutil.getloadavg()'s tuple.

pyfloat.txt: "<float.hex()> <json.dumps(float)>" per line, to check the Go
float formatting against Python's repr.

Run from this directory: python3 gen_golden.py
"""
import json
import random
import struct


class MsgStats:
    def __init__(self, host, cpu, load, memp, memt, swapp, swapt, temp=None):
        self.host = host
        self.cpu_percent = cpu
        self.load_avg = load
        self.memory_percent = memp
        self.memory_total = memt
        self.swap_percent = swapp
        self.swap_total = swapt
        if temp is not None:
            self.temp = temp


def encoded(msg):
    return json.dumps([msg.__class__.__name__, msg.__dict__], separators=(",", ":"))


FRAMES = [
    # A desktop with an Intel CPU (coretemp present).
    MsgStats("alpha", 12.5, (0.52, 0.4, 0.31), 43.2, 16651128832, 0.0, 2147479552, 48.0),
    # A VM: no coretemp, no swap, whole-number floats.
    MsgStats("vm", 0.0, (0.0, 0.05, 1.0), 7.0, 25179361280, 0.0, 0),
    # A busy server: floats needing Python's exponent and long forms.
    MsgStats("build-server-01.example.lan", 100.0, (12.34, 1e-05, 123456789.5),
             99.9, 1099511627776, 33.3, 68719476736, 85.123456789),
    # A Raspberry Pi style host name with a dash and digits.
    MsgStats("rpi-4", 3.1, (0.08, 0.12, 0.09), 21.6, 3978665984, 0.6, 104853504, 51.634),
]


def floats():
    vals = [0.0, -0.0, 1.0, 3.0, 0.1, 0.5, 12.5, 100.0, 99.9, 1e-4, 1e-5,
            0.00012, 0.000123, 123456789.5, 1e15, 1e16, 9999999999999998.0,
            1.5e16, 1e22, 1e100, 5e-324, 1.7976931348623157e308, 2.5e-7,
            -1.5, -1e-5, -1e16, 1234567890123456.7, 0.30000000000000004,
            16651128832.0, 2.0 ** 53, 2.0 ** 63, 1e21, 1e-7, 123e-20]
    rnd = random.Random(5)
    for _ in range(100):
        vals.append(round(rnd.uniform(0, 100), 1))
    for _ in range(60):
        vals.append(rnd.uniform(0, 64))
    for _ in range(100):
        bits = rnd.getrandbits(64)
        f = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if f == f and f not in (float("inf"), float("-inf")):
            vals.append(f)
    for e in range(-30, 30):
        vals.append(rnd.uniform(1, 10) * 10.0 ** e)
    return vals


if __name__ == "__main__":
    with open("msgstats_golden.jsonl", "w", newline="\n") as out:
        for m in FRAMES:
            out.write(encoded(m) + "\n")
    with open("pyfloat.txt", "w", newline="\n") as out:
        for f in floats():
            out.write("%s %s\n" % (f.hex(), json.dumps(f)))
