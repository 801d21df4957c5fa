#!/usr/bin/env python3
"""Writes the golden files of package wire with Python's own json module.

msgstats_golden.jsonl: MsgStats frames exactly as cable_car 1.0.1's
Message.encoded() writes them for its cpu_mon example:
json.dumps([class name, obj.__dict__], separators=(',', ':')) + "\\n", with the
attributes set in the order MsgStats.__init__ sets them (host, cpu_percent,
load_avg, memory_percent, memory_total, swap_percent, swap_total, then temp
only when a coretemp sensor exists). load_avg is psutil.getloadavg()'s tuple.

(Python's float formatting itself is checked in package message, against
message/testdata/floats.golden.)

Run from this directory: python3 gen_golden.py
"""
import json


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



if __name__ == "__main__":
    with open("msgstats_golden.jsonl", "w", newline="\n") as out:
        for m in FRAMES:
            out.write(encoded(m) + "\n")
