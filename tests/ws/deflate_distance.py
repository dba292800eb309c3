"""How far back a raw deflate stream (RFC 1951) reaches: its longest match distance.

A small reader for one check: that a compressor allowed an N-bit window never
references data further back than the peer's window holds. It decodes block
headers and Huffman codes but copies no bytes.
"""

from __future__ import annotations

_LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                67, 83, 99, 115, 131, 163, 195, 227, 258]  # fmt: skip
_LENGTH_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
_DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
              1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]  # fmt: skip
_DIST_EXTRA = [max(0, (code - 2) // 2) for code in range(30)]
_CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

Table = tuple[int, list[tuple[int, int]]]  # (bits to peek, peeked bits -> (symbol, length))


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data = data + bytes(4)
        self.size = len(data) * 8
        self.pos = 0

    def peek(self, n: int) -> int:
        i = self.pos >> 3
        return (int.from_bytes(self.data[i : i + 4], "little") >> (self.pos & 7)) & ((1 << n) - 1)

    def take(self, n: int) -> int:
        value = self.peek(n)
        self.pos += n
        return value

    def symbol(self, table: Table) -> int:
        symbol, length = table[1][self.peek(table[0])]
        if not length or self.pos + length > self.size:
            raise ValueError(f"no Huffman code at bit {self.pos}")
        self.pos += length
        return symbol


def _table(lengths: list[int]) -> Table:
    """The canonical Huffman code of ``lengths`` (RFC 1951 3.2.2) as a lookup table."""
    width = max(lengths)
    counts = [lengths.count(n) if n else 0 for n in range(width + 1)]
    next_code, code = [0] * (width + 1), 0
    for n in range(1, width + 1):
        code = (code + counts[n - 1]) << 1
        next_code[n] = code
    table = [(-1, 0)] * (1 << width)
    for symbol, n in enumerate(lengths):
        if n:
            reversed_code = int(f"{next_code[n]:0{n}b}"[::-1], 2)  # codes are sent MSB first
            next_code[n] += 1
            for high in range(1 << (width - n)):
                table[reversed_code | (high << n)] = (symbol, n)
    return width, table


_FIXED = (_table([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8), _table([5] * 30))


def _dynamic(bits: _Bits) -> tuple[Table, Table]:
    literals, distances, code_lengths = bits.take(5) + 257, bits.take(5) + 1, bits.take(4) + 4
    order = [0] * 19
    for i in range(code_lengths):
        order[_CODE_LENGTH_ORDER[i]] = bits.take(3)
    meta, lengths = _table(order), []
    while len(lengths) < literals + distances:
        symbol = bits.symbol(meta)
        if symbol < 16:
            lengths.append(symbol)
        elif symbol == 16:
            lengths += [lengths[-1]] * (3 + bits.take(2))
        else:
            lengths += [0] * (3 + bits.take(3) if symbol == 17 else 11 + bits.take(7))
    return _table(lengths[:literals]), _table(lengths[literals:])


def farthest_reference(stream: bytes) -> int:
    """The longest match distance in ``stream``: raw deflate, ending with a sync flush."""
    bits, farthest = _Bits(stream), 0
    while bits.pos < bits.size:
        final, kind = bits.take(1), bits.take(2)
        if kind == 0:  # stored: skip to the byte boundary, then LEN, NLEN and the bytes
            bits.pos = (bits.pos + 7) // 8 * 8
            bits.pos += 32 + 8 * bits.take(16)
            continue
        literals, distances = _FIXED if kind == 1 else _dynamic(bits)
        while (symbol := bits.symbol(literals)) != 256:
            if symbol > 256:
                bits.take(_LENGTH_EXTRA[symbol - 257])
                code = bits.symbol(distances)
                farthest = max(farthest, _DIST_BASE[code] + bits.take(_DIST_EXTRA[code]))
        if final:
            break
    return farthest
