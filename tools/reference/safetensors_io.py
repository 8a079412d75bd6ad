"""Reads and writes safetensors files (docs/files.md) with the standard library only.

Layout: an 8-byte little-endian header length, a JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}} padded with
spaces to a multiple of 8 bytes, then the raw little-endian data, offsets relative to its start.
"""

import json
import os
import struct
import sys
from array import array

_CODES = {"F32": "f", "I32": "i", "F64": "d", "I64": "q"}


def write(path, tensors, metadata=None):
    """Writes tensors, a list of (name, dtype, shape, flat list of numbers), in that order.

    The file is written to a temporary name first and then renamed, so it is never half-written.
    """
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, dtype, shape, values in tensors:
        count = 1
        for d in shape:
            count *= d
        if len(values) != count:
            raise ValueError(f"{name}: {len(values)} values for shape {shape}")
        data = array(_CODES[dtype], values)
        if sys.byteorder != "little":
            data.byteswap()
        raw = data.tobytes()
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
    os.replace(tmp, path)


def read(path):
    """Returns ({name: (dtype, shape, flat list)}, metadata) in file order."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        data = array(_CODES[info["dtype"]])
        data.frombytes(blob[base + begin:base + end])
        if sys.byteorder != "little":
            data.byteswap()
        out[name] = (info["dtype"], tuple(info["shape"]), data.tolist())
    return out, metadata
