"""Writes deflate_streams.bin, the differential fixture of ffc's inflater (InflateDifferentialTests):
raw deflate streams (RFC 1951) that Python's zlib made of one input, at every level 0-9 and with
its other strategies, so `swift test` checks ffc's decoder against zlib's encoder without
Python. The input is not stored: both sides make it from the same SplitMix64 sequence
(`content()` here, `DeflateContent.bytes()` in the test). Run with Python 3 alone:
    python Tests/Fixtures/formats/make_deflate_fixtures.py

The file: for each stream in the order of STREAMS, a 4-byte little-endian length and the stream.
"""
import os
import struct
import zlib

here = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


SIZE = 170_000


def content():
    """Random bytes, words, rounded f64 values, runs, and copies from up to 32 KiB back: literals,
    short and long matches, every distance range."""
    r = SplitMix64(2026)
    out = bytearray()
    for _ in range(250):
        out += (r.next()).to_bytes(8, "little")
    words = [b"gradient", b"tensor", b"deflate", b"huffman", b"window", b"symbol", b" ", b"\n",
             b"ffc", b"relu"]
    while len(out) < 30_000:
        out += words[r.next() % 10]
    for _ in range(1000):
        out += struct.pack("<d", (r.next() % 2001 - 1000) / 100)
    while len(out) < 70_000:
        n = 1 + r.next() % 300
        out += bytes([r.next() % 256]) * n
    while len(out) < SIZE:
        d = 1 + r.next() % 32768
        n = 3 + r.next() % 300
        start = len(out) - d
        for i in range(n):
            out.append(out[start + i])
        out.append(r.next() % 256)
    return bytes(out[:SIZE])


def deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, wbits=-15, flush_every=None):
    z = zlib.compressobj(level, zlib.DEFLATED, wbits, 8, strategy)
    if flush_every is None:
        return z.compress(data) + z.flush()
    out = b""
    for at in range(0, len(data), flush_every):
        out += z.compress(data[at:at + flush_every]) + z.flush(zlib.Z_SYNC_FLUSH)
    return out + z.flush()


data = content()
PART = 66_000
SMALL = 20_000
# To keep the file small: level 0 (stored blocks) of the first 66,000 bytes (two blocks), RLE and
# Huffman-only of the first 20,000.
STREAMS = [deflate(data[:PART], 0)] + [deflate(data, level) for level in range(1, 10)] + [
    deflate(data, 6, zlib.Z_FIXED),
    deflate(data[:SMALL], 6, zlib.Z_RLE),
    deflate(data[:SMALL], 6, zlib.Z_HUFFMAN_ONLY),
    deflate(data, 9, wbits=-9),
    deflate(data, 6, flush_every=10_000),
]
for index, stream in enumerate(STREAMS):
    expected = data[:PART] if index == 0 else data[:SMALL] if index in (11, 12) else data
    assert zlib.decompress(stream, -15) == expected
with open(os.path.join(here, "deflate_streams.bin"), "wb") as f:
    for stream in STREAMS:
        f.write(struct.pack("<I", len(stream)) + stream)
print(len(data), zlib.crc32(data), [len(s) for s in STREAMS])
