"""Draws the toolbar icons (a page with lines of text on an ink-blue tile) as PNGs, stdlib only.

    python3 extension/icons/draw.py     # rewrites extension/icons/icon-{16,32,48,128}.png

Shapes are rounded rectangles in a unit square, rendered at 8x and averaged down for smooth edges.
"""

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
OVERSAMPLE = 8
TILE = (0x27, 0x44, 0x5C)
PAGE = (0xFB, 0xFA, 0xF6)
INK = (0x27, 0x44, 0x5C)


def rounded_rect(x0, y0, x1, y1, r):
    """A predicate for a rounded rectangle in unit coordinates."""
    def inside(x, y):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return inside


def shapes(size):
    """(predicate, colour) from back to front; small icons get fewer, bolder lines."""
    tile = rounded_rect(0.0, 0.0, 1.0, 1.0, 0.22)
    page = rounded_rect(0.22, 0.14, 0.78, 0.86, 0.06)
    if size <= 16:
        lines = [(0.32, 0.34, 0.68), (0.48, 0.34, 0.68), (0.64, 0.34, 0.56)]
        thickness = 0.08
    else:
        lines = [(0.29, 0.32, 0.68), (0.41, 0.32, 0.68), (0.53, 0.32, 0.68), (0.65, 0.32, 0.54)]
        thickness = 0.055
    out = [(tile, TILE), (page, PAGE)]
    for y, x0, x1 in lines:
        out.append((rounded_rect(x0, y - thickness / 2, x1, y + thickness / 2, thickness / 2), INK))
    return out


def render(size):
    layers = shapes(size)
    n = size * OVERSAMPLE
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(OVERSAMPLE):
                y = (py * OVERSAMPLE + sy + 0.5) / n
                for sx in range(OVERSAMPLE):
                    x = (px * OVERSAMPLE + sx + 0.5) / n
                    colour = None
                    for inside, fill in layers:
                        if inside(x, y):
                            colour = fill
                    if colour is not None:
                        acc[0] += colour[0]
                        acc[1] += colour[1]
                        acc[2] += colour[2]
                        acc[3] += 1
            covered = acc[3]
            if covered:
                row += bytes([round(acc[0] / covered), round(acc[1] / covered), round(acc[2] / covered),
                              round(255 * covered / OVERSAMPLE ** 2)])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(size, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + row for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main():
    here = Path(__file__).resolve().parent
    for size in SIZES:
        (here / f"icon-{size}.png").write_bytes(png(size, render(size)))


if __name__ == "__main__":
    main()
