"""Content identifiers: the CID Kubo gives a file, computed without Kubo.

A document is filed under the CID that `ipfs add --cid-version=1 --raw-leaves` prints for the same
bytes with Kubo's default import settings, so the embedded store and a Kubo node agree on every
address and a CID on chain can be fetched from either. Those settings are:

* chunker ``size-262144``: the file is cut into 256 KiB chunks, the last one shorter;
* raw leaves: each chunk is a ``raw`` (0x55) block holding exactly the chunk's bytes;
* balanced layout with at most 174 links per node (boxo's ``helpers.DefaultLinksPerBlock``):
  leaves are grouped 174 at a time under dag-pb (0x70) nodes, those nodes 174 at a time under the
  next level, and so on until one node is left. A file of one chunk (or none) is its own raw leaf.

Every internal node is a dag-pb ``PBNode`` as go-codec-dagpb writes it, ``Links`` before ``Data``:

* per child, a ``PBLink`` of ``Hash`` (the child's binary CID), ``Name`` (always written, even
  empty, because go-merkledag assigns it unconditionally) and ``Tsize`` (the child's cumulative
  size: a raw leaf's length, or a node's own encoded length plus its links' ``Tsize``);
* ``Data``, a UnixFS ``Data`` message of ``Type`` = File (2), ``filesize`` (file bytes under the
  node) and one non-packed ``blocksizes`` entry per child (file bytes under that child).

Hashes are sha2-256; CIDs print in multibase base32 lower-case (prefix ``b``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import NewType

from ..errors import InvalidCID

CID = NewType("CID", str)
"""A CIDv1 (sha2-256, codec raw or dag-pb) in multibase base32 lower-case, e.g. ``bafkrei...``."""

_CHUNK_SIZE = 262144
_MAX_LINKS = 174

_CID_VERSION = 0x01
_RAW = 0x55
_DAG_PB = 0x70
_SHA2_256 = 0x12
_DIGEST_LENGTH = 32
_UNIXFS_FILE = 2

# Names for the codecs people most often paste by mistake, so the error says what they have.
_CODEC_NAMES = {_RAW: "raw", _DAG_PB: "dag-pb", 0x71: "dag-cbor", 0x0129: "dag-json", 0x72: "libp2p-key"}
_BASE32_LOWER = re.compile(r"[a-z2-7]+")


def compute_cid(data: bytes) -> CID:
    """Computes the CID Kubo v0.42 gives these bytes with ``--cid-version=1 --raw-leaves``.

    Args:
        data: The complete file.

    Returns:
        The CID of the file's root block: a raw leaf for up to 262144 bytes, else a dag-pb node.
    """
    view = memoryview(data)
    # One (binary CID, Tsize, file bytes) triple per node of the level being built.
    level = []
    for start in range(0, max(len(view), 1), _CHUNK_SIZE):  # an empty file is one empty leaf
        chunk = view[start : start + _CHUNK_SIZE]
        level.append((_binary_cid(_RAW, hashlib.sha256(chunk).digest()), len(chunk), len(chunk)))
    while len(level) > 1:
        level = [_file_node(level[i : i + _MAX_LINKS]) for i in range(0, len(level), _MAX_LINKS)]
    return _encode(level[0][0])


def parse_cid(text: str) -> CID:
    """Checks that a string is a CID lienchain stores, and returns it typed.

    Accepted: CIDv1, codec raw or dag-pb, sha2-256, multibase base32 lower-case, in its one
    canonical spelling (so two different strings never name the same document).

    Args:
        text: The CID as a user or the chain gave it.

    Returns:
        The same string as a `CID`.

    Raises:
        InvalidCID: Naming the first thing that is wrong with it.
    """
    if not isinstance(text, str) or not text:
        raise InvalidCID(f"{text!r} is not a CID: expected a base32 CIDv1 such as bafkrei...")
    if text.startswith("Qm"):
        raise InvalidCID(
            f"{text} is a CIDv0: lienchain uses CIDv1, convert it with `ipfs cid format -v 1 -b base32 {text}`"
        )
    if text[0] != "b":
        raise InvalidCID(
            f"CID {text} is not in multibase base32 lower-case: it must start with 'b', not {text[0]!r}"
        )
    body = text[1:]
    if not _BASE32_LOWER.fullmatch(body):
        raise InvalidCID(f"CID {text} is not base32 lower-case: only a-z and 2-7 may follow the 'b'")
    try:
        raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    except binascii.Error:
        raise InvalidCID(f"CID {text} has an impossible base32 length ({len(body)} characters)") from None
    version, rest = _read_varint(raw, text)
    if version != _CID_VERSION:
        raise InvalidCID(f"CID {text} is version {version}: lienchain stores CIDv1 only")
    codec, rest = _read_varint(rest, text)
    if codec not in (_RAW, _DAG_PB):
        name = _CODEC_NAMES.get(codec, "unknown")
        raise InvalidCID(f"CID {text} has codec {codec:#x} ({name}): expected raw (0x55) or dag-pb (0x70)")
    hash_code, rest = _read_varint(rest, text)
    if hash_code != _SHA2_256:
        raise InvalidCID(f"CID {text} uses multihash {hash_code:#x}: expected sha2-256 (0x12)")
    length, digest = _read_varint(rest, text)
    if length != _DIGEST_LENGTH or len(digest) != _DIGEST_LENGTH:
        raise InvalidCID(
            f"CID {text} carries a {len(digest)}-byte digest declared as {length} bytes: sha2-256 has 32"
        )
    if _encode(_binary_cid(codec, digest)) != text:
        # Same fields, other bytes: padded varints or stray bits in the last base32 character.
        raise InvalidCID(f"CID {text} is not in canonical form: re-encode it with `ipfs cid format -v 1 -b base32`")
    return CID(text)


def digest_of(cid: str) -> bytes:
    """Returns the sha2-256 digest a CID names (of its block's bytes, for raw and dag-pb alike).

    Raises:
        InvalidCID: If `cid` is not a CID lienchain stores.
    """
    body = parse_cid(cid)[1:]
    return base64.b32decode(body.upper() + "=" * (-len(body) % 8))[-_DIGEST_LENGTH:]


def _file_node(children: list[tuple[bytes, int, int]]) -> tuple[bytes, int, int]:
    """Encodes one internal UnixFS File node over its children, as boxo's balanced builder does."""
    links = b"".join(
        _field(2, b"".join((_field(1, cid), b"\x12\x00", b"\x18", _varint(tsize))))
        for cid, tsize, _ in children
    )
    filesize = sum(size for _, _, size in children)
    unixfs = b"".join(
        (b"\x08", _varint(_UNIXFS_FILE), b"\x18", _varint(filesize))
        + tuple(b"\x20" + _varint(size) for _, _, size in children)
    )
    block = links + _field(1, unixfs)
    tsize = len(block) + sum(t for _, t, _ in children)
    return _binary_cid(_DAG_PB, hashlib.sha256(block).digest()), tsize, filesize


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _binary_cid(codec: int, digest: bytes) -> bytes:
    return bytes((_CID_VERSION, codec, _SHA2_256, _DIGEST_LENGTH)) + digest


def _encode(binary_cid: bytes) -> CID:
    return CID("b" + base64.b32encode(binary_cid).decode("ascii").lower().rstrip("="))


def _varint(value: int) -> bytes:
    """Unsigned LEB128, as protobuf and multiformats write integers."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, text: str) -> tuple[int, bytes]:
    """Reads one unsigned varint; returns it and the bytes after it."""
    value = 0
    for index, byte in enumerate(data[:9]):  # multiformats caps varints at 9 bytes
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, data[index + 1 :]
    raise InvalidCID(f"CID {text} is truncated or holds a malformed varint")
