#!/usr/bin/env python3
"""Writes the golden vectors in this directory the way cable_car 1.0.1 does.

byte.golden: one frame per line, "<label> <hex>", as cable_car's byte transport
builds it: bytes([len(payload) + 2, code]) + payload.
json.golden: one frame per line, "<label> <line>", the line as cable_car's
JSON transport builds it: json.dumps([name, attrs], separators=(',', ':')).
../msgpack/testdata/msgpack.golden: cablecar msgpack frames (package message/msgpack).

Run from this directory: python3 gen_golden.py
"""
import json
import math
import random
import struct


def byte_frame(code, payload=b""):
    frame = bytes([len(payload) + 2, code]) + payload
    assert len(frame) <= 255
    return frame


def position_payload(i, x, y, z):
    # The Go test type Position: uint32 id and three float32, network order.
    return struct.pack(">Ifff", i, x, y, z)


BYTE = [
    ("identify", byte_frame(1, b"pyuser@pyhost")),
    ("identify_at_in_host", byte_frame(1, b"me@host@lan")),
    ("identify_empty", byte_frame(1, b"@")),
    ("join", byte_frame(2)),
    ("retry", byte_frame(3)),
    ("quit", byte_frame(4)),
    ("position", byte_frame(0x10, position_payload(7, 1.5, -2.0, 0.25))),
    ("position_max", byte_frame(0x10, position_payload(0xFFFFFFFF, 3.4028234663852886e38, -1e-45, 0.0))),
    ("text_max", byte_frame(0x11, b"x" * 253)),
]


def json_line(name, attrs):
    return json.dumps([name, attrs], separators=(",", ":"))


JSON = [
    ("identify", json_line("MsgIdentify", {"username": "pyuser", "hostname": "pyhost"})),
    ("join", json_line("MsgJoin", {})),
    ("retry", json_line("MsgRetry", {})),
    ("quit", json_line("MsgQuit", {})),
    ("position", json_line("Position", {"id": 7, "x": 1.5, "y": -2.0, "z": 0.25})),
    ("position_frac", json_line("Position", {"id": 4294967295, "x": 0.1, "y": 1e-05, "z": 1e16})),
    ("stats", json_line("MsgStats", {
        "host": "h\u00f6st-\u6f22\U0001F600<&>\"\\\t\x01\x7f",
        "cpu_percent": 12.5,
        "load_avg": [0.52, 1.0, 100.0],
        "memory_percent": 33.33333333333333,
        "memory_total": 16777216000,
        "swap_percent": 0.0,
        "swap_total": 0,
        "temp": 47.0,
    })),
    ("floats", json_line("Floats", {
        "a": 1e-07, "b": 123456789012345.0, "c": 1.2345678901234567e16, "d": -0.0,
        "e": 5e-324, "f": 1.7976931348623157e308, "g": 0.30000000000000004, "h": 1e21, "i": 100.0,
        "j": 0.0001, "k": 1e22,
    })),
    ("nonfinite", json_line("NonFinite", {"a": float("nan"), "b": float("inf"), "c": float("-inf")})),
    ("nested", json_line("Nested", {"name": "n", "tags": ["a", "b"], "scores": {"x": 1, "y": 2},
                                     "inner": {"ok": True, "none": None}, "empty": [], "raw": [1, "two", 3.0]})),
]


def mp(v):
    """A minimal msgpack packer (the spec's smallest forms) for the values used here."""
    if isinstance(v, dict):
        assert len(v) < 16
        return bytes([0x80 | len(v)]) + b"".join(mp(k) + mp(x) for k, x in v.items())
    if isinstance(v, str):
        b = v.encode("utf-8")
        if len(b) < 32:
            return bytes([0xA0 | len(b)]) + b
        assert len(b) < 256
        return bytes([0xD9, len(b)]) + b
    if isinstance(v, F32):
        return b"\xca" + struct.pack(">f", v.v)
    if isinstance(v, int):
        assert 0 <= v < 2 ** 32
        if v < 128:
            return bytes([v])
        if v < 256:
            return bytes([0xCC, v])
        if v < 65536:
            return b"\xcd" + struct.pack(">H", v)
        return b"\xce" + struct.pack(">I", v)
    raise TypeError(v)


class F32:
    def __init__(self, v):
        self.v = v


def mp_frame(type_id, body):
    """cablecar msgpack frame: [len u32 BE, whole frame][id u16 BE][msgpack body]."""
    b = mp(body)
    return struct.pack(">IH", 6 + len(b), type_id) + b


MSGPACK = [
    ("identify", mp_frame(1, {"username": "pyuser", "hostname": "pyhost"})),
    ("join", mp_frame(2, {})),
    ("retry", mp_frame(3, {})),
    ("quit", mp_frame(4, {})),
    ("position", mp_frame(0x10, {"id": 7, "x": F32(1.5), "y": F32(-2.0), "z": F32(0.25)})),
    ("position_big", mp_frame(0x10, {"id": 123456, "x": F32(1.5), "y": F32(-20.25), "z": F32(300.125)})),
    ("text", mp_frame(0x11, {"s": "x" * 40})),
]


def float_values():
    rnd = random.Random(2024)
    vals = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, 100.0, 1e15, 1e16, 1e17, 1e-4, 1e-5, 9.999999999999999e15,
            1234567890123456.0, 12345678901234567.0, 0.000123, 0.0001234, 5e-324, 2.2250738585072014e-308,
            1.7976931348623157e308, 0.30000000000000004, 1 / 3, 2 / 3, 3.14159, 299792458.0, 6.02214076e23]
    vals += [10.0 ** k for k in range(-30, 31)]
    vals += [2.0 ** k for k in range(-60, 70, 3)]
    while len(vals) < 3000:
        bits = rnd.getrandbits(64)
        f = struct.unpack(">d", struct.pack(">Q", bits))[0]
        if math.isfinite(f):
            vals.append(f)
        vals.append(round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 8)))
        vals.append(rnd.uniform(-1, 1) * 10.0 ** rnd.randint(-20, 25))
    return vals


def string_values():
    rnd = random.Random(7)
    vals = ["", "plain", "quote\"back\\slash", "\b\f\n\r\t", "\x00\x01\x1f\x7f\x80", "<script>&amp;</script>",
            "caf\u00e9", "\u2028\u2029", "\ufeff", "\uffff", "\U0001F600\U0010FFFF", "/slash/", "tab\there"]
    alphabet = [chr(c) for c in range(0, 0x250)] + ["\u6f22", "\u00e9", "\U0001F600", "\U00010348", "\ud7ff", "\ue000"]
    for _ in range(300):
        vals.append("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20))))
    return vals


def main():
    with open("../msgpack/testdata/msgpack.golden", "w") as f:
        f.write("# cablecar msgpack frames, written by gen_golden.py: <label> <hex>\n")
        for label, frame in MSGPACK:
            f.write("%s %s\n" % (label, frame.hex()))
    with open("floats.golden", "w") as f:
        f.write("# Python repr/json.dumps of float64 values, written by gen_golden.py: <bits hex> <text>\n")
        for v in float_values():
            f.write("%016x %s\n" % (struct.unpack(">Q", struct.pack(">d", v))[0], json.dumps(v)))
    with open("strings.golden", "w") as f:
        f.write("# Python json.dumps of strings, written by gen_golden.py: <UTF-8 hex> <text>\n")
        for v in string_values():
            f.write("%s %s\n" % (v.encode("utf-8").hex() or "-", json.dumps(v)))
    with open("byte.golden", "w") as f:
        f.write("# cable_car 1.0.1 byte frames, written by gen_golden.py: <label> <hex>\n")
        for label, frame in BYTE:
            f.write("%s %s\n" % (label, frame.hex()))
    with open("json.golden", "w", encoding="ascii") as f:
        f.write("# cable_car 1.0.1 JSON lines, written by gen_golden.py: <label> <line>\n")
        for label, line in JSON:
            f.write("%s %s\n" % (label, line))


if __name__ == "__main__":
    main()
