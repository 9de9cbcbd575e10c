"""The only door to PyNaCl: the NaCl primitives CurveZMQ needs, and nothing else.

Owns every use of the optional ``curve`` extra (docs/architecture.md §7), so that the rest of
purezmq (and its core install without PyNaCl) never imports ``nacl``; a layering test enforces it.
CURVE (RFC 26) needs X25519 key pairs, ``crypto_box`` (X25519 + XSalsa20-Poly1305) with explicit
24-byte nonces, the precomputed-key forms for the per-connection transient pair, and
``crypto_secretbox`` for the server cookie (docs/protocol/mechanisms.md §3.1). Every box here is the
"easy" wire form: 16-byte Poly1305 tag, then ciphertext — what libzmq puts on the wire after
stripping the classic API's zero padding.

Randomness for keys and nonces also comes from here (libsodium's ``randombytes``), so a single
place decides where secrets come from.

The one exception to "primitives only" is the per-MESSAGE hot path (``MessageSealer``,
``MessageOpener``): the loops over a batch of MESSAGE frames live here because each iteration
calls libsodium through PyNaCl's cffi handle, and a call per frame across modules would cost
as much as the work. ``curve.py`` still decides the protocol: nonce prefixes, frame heads, what
the inner flags mean, which errors to raise.

Without PyNaCl, ``available()`` is False and every other function raises ``ZMQError(ENOTSUP)``
with the message ``CURVE needs PyNaCl: pip install 'purezmq[curve]'``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from ..._typing import BytesLike
from ...constants import Errno
from ...error import ZMQError
from ..codec import FLAG_LONG, FrameEncoder

# PyNaCl is imported on first use, not with this module: the engine imports this module for
# every context, and most programs never use CURVE (``import nacl.bindings`` costs ~10 ms).
_bindings: Any = None
_CryptoError: type[Exception] = Exception
_loaded = False

# The per-MESSAGE hot path calls libsodium through PyNaCl's cffi handle directly, writing the
# box straight into the frame it belongs to: PyNaCl's wrappers cost about as much again as the
# cipher itself for small messages. ``nacl._sodium`` is PyNaCl's private module, so its absence
# (or any change) falls back to the public bindings, which give the very same bytes.
_ffi: Any = None
_sodium: Any = None


def _load() -> None:
    """Import PyNaCl once (any thread; a concurrent second import is harmless)."""
    global _bindings, _CryptoError, _ffi, _sodium, _loaded
    if _loaded:
        return
    try:
        import nacl.bindings as nacl_bindings
        import nacl.exceptions as nacl_exceptions
    except ImportError:  # pragma: no cover - exercised only without the curve extra
        _loaded = True
        return
    try:
        from nacl._sodium import ffi as nacl_ffi
        from nacl._sodium import lib as nacl_lib

        _ = (nacl_lib.crypto_box_easy_afternm, nacl_lib.crypto_box_open_easy_afternm)
    except (ImportError, AttributeError):  # pragma: no cover - other PyNaCl builds
        pass
    else:
        _ffi, _sodium = nacl_ffi, nacl_lib
    _CryptoError = nacl_exceptions.CryptoError
    _bindings = nacl_bindings
    _loaded = True


# The "easy" bindings (PyNaCl >= 1.5 on recent builds) skip the classic API's zero-padding
# copies; the classic ones return the same wire form (PyNaCl strips the padding), so either
# gives identical bytes.
_EASY = {
    "crypto_box_easy": "crypto_box",
    "crypto_box_open_easy": "crypto_box_open",
    "crypto_box_easy_afternm": "crypto_box_afternm",
    "crypto_box_open_easy_afternm": "crypto_box_open_afternm",
    "crypto_secretbox_easy": "crypto_secretbox",
    "crypto_secretbox_open_easy": "crypto_secretbox_open",
}


_resolved: dict[str, Any] = {}


def _ptr(buffer: Any) -> Any:
    """A cffi view of ``buffer`` typed as libsodium declares its arguments (``unsigned char *``):
    passing the exact type skips cffi's compatible-type conversion (a 64-byte seal through
    cffi: 586 → 549 ns here; the cipher itself takes about 390)."""
    return _ffi.from_buffer("unsigned char[]", buffer)


def _fn(name: str) -> Any:
    found = _resolved.get(name)
    if found is None:
        lib = _lib()
        found = getattr(lib, name, None) or getattr(lib, _EASY[name])
        _resolved[name] = found
    return found


#: Sizes fixed by NaCl (and so by RFC 26): keys, nonces, the Poly1305 tag every box adds.
KEY_SIZE = 32
NONCE_SIZE = 24
BOX_OVERHEAD = 16

MISSING_MESSAGE = "CURVE needs PyNaCl: pip install 'purezmq[curve]'"


class CryptoError(Exception):
    """A box did not open: wrong key, wrong nonce or tampered bytes (PyNaCl's error, rewrapped
    so that callers need not import ``nacl``)."""


def available() -> bool:
    """True when PyNaCl is installed, i.e. CURVE can be used."""
    _load()
    return _bindings is not None


def require() -> None:
    """Raise the documented ``ZMQError`` when PyNaCl is missing (libzmq answers ENOTSUP for
    CURVE functions when built without libsodium)."""
    _load()
    if _bindings is None:
        raise ZMQError(Errno.ENOTSUP, MISSING_MESSAGE)


def _lib() -> Any:
    _load()
    if _bindings is None:
        raise ZMQError(Errno.ENOTSUP, MISSING_MESSAGE)
    return _bindings


def random_bytes(size: int) -> bytes:
    """``size`` bytes from libsodium's CSPRNG (keys, long nonces, cookie keys)."""
    return bytes(_lib().randombytes(size))


def public_from_secret(secret: bytes) -> bytes:
    """The X25519 public key of a 32-byte secret key (``crypto_scalarmult_base``)."""
    if len(secret) != KEY_SIZE:
        raise ValueError(f"a CURVE secret key is 32 bytes, not {len(secret)}")
    return bytes(_lib().crypto_scalarmult_base(bytes(secret)))


def keypair() -> tuple[bytes, bytes]:
    """A fresh ``(public, secret)`` X25519 pair, 32 raw bytes each.

    Built as libsodium's ``crypto_box_keypair`` does (random secret, then base-point
    multiplication) so that injected randomness in tests gives the same keys."""
    secret = random_bytes(KEY_SIZE)
    return public_from_secret(secret), secret


def box(plaintext: bytes, nonce: bytes, public: bytes, secret: bytes) -> bytes:
    """``crypto_box`` of ``plaintext`` from ``secret``'s owner to ``public``'s owner."""
    return bytes(_fn("crypto_box_easy")(plaintext, nonce, public, secret))


def box_open(ciphertext: bytes, nonce: bytes, public: bytes, secret: bytes) -> bytes:
    """Open a ``crypto_box``; raises ``CryptoError`` when it does not authenticate."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("box shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_box_open_easy")(ciphertext, nonce, public, secret))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


def precompute(public: bytes, secret: bytes) -> bytes:
    """The shared key of ``crypto_box_beforenm``; libzmq computes it once per connection for
    the transient pair and uses it for INITIATE, READY and every MESSAGE (mechanisms.md §3.1)."""
    return bytes(_lib().crypto_box_beforenm(public, secret))


def box_afternm(plaintext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """``crypto_box`` with a precomputed shared key (same bytes as ``box`` with the pair)."""
    return bytes(_fn("crypto_box_easy_afternm")(plaintext, nonce, shared))


def box_open_afternm(ciphertext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """Open a box with a precomputed shared key; raises ``CryptoError`` on failure."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("box shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_box_open_easy_afternm")(ciphertext, nonce, shared))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


def seal_after(header: bytes, plaintext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """``header + box_afternm(plaintext, nonce, shared)`` in one buffer (a CURVE MESSAGE body:
    RFC 26 §"The MESSAGE Command", header = name + short nonce)."""
    _load()
    if _sodium is None:
        return header + box_afternm(plaintext, nonce, shared)
    start = len(header)
    out = bytearray(start + BOX_OVERHEAD + len(plaintext))
    out[:start] = header
    if len(nonce) != NONCE_SIZE or len(shared) != KEY_SIZE:
        raise ValueError("bad nonce or shared key size")
    _sodium.crypto_box_easy_afternm(
        _ptr(out) + start, plaintext, len(plaintext), nonce, shared
    )
    return bytes(out)


def open_after(data: bytes, start: int, nonce: bytes, shared: bytes) -> bytearray:
    """Open the box at ``data[start:]`` with a precomputed key; the plaintext, or
    ``CryptoError``."""
    size = len(data) - start - BOX_OVERHEAD
    if size < 0:
        raise CryptoError("box shorter than its authentication tag")
    _load()
    if _sodium is None:
        return bytearray(box_open_afternm(bytes(data[start:]), nonce, shared))
    if len(nonce) != NONCE_SIZE or len(shared) != KEY_SIZE:
        raise ValueError("bad nonce or shared key size")
    out = bytearray(size)
    # Small boxes: slicing is cheaper than a cffi view at an offset; large ones: no copy.
    box = data[start:] if size < 4096 else _ptr(data) + start
    if _sodium.crypto_box_open_easy_afternm(
        _ptr(out), box, size + BOX_OVERHEAD, nonce, shared
    ):
        raise CryptoError("An error occurred trying to decrypt the message")
    return out


# -- the per-MESSAGE hot path -------------------------------------------------------------------

_SHORT_NONCE = struct.Struct(">Q")
_pack_nonce = _SHORT_NONCE.pack
_pack_nonce_into = _SHORT_NONCE.pack_into
#: A MESSAGE command body (RFC 26 §"The MESSAGE Command", docs/protocol/mechanisms.md §3.8): 8-byte
#name, : 8-byte short nonce, then the box of flags byte + payload (16-byte tag first).
_NAME_SIZE = 8
_BOX_AT = _NAME_SIZE + 8
_MESSAGE_PLAIN_AT = _BOX_AT + BOX_OVERHEAD
#: The sealer's scratch buffer: the 24-byte nonce (16-byte prefix + short nonce), the box right
#: behind it, its plaintext 16 bytes further. The short nonce and the box are also the tail of
#: the wire frame, so they go out in one slice.
_SHORT_AT = NONCE_SIZE - 8
_TAG_AT = NONCE_SIZE
_PLAIN_AT = _TAG_AT + BOX_OVERHEAD
#: Name and short nonce at the start of a MESSAGE body.
_MESSAGE_HEAD = struct.Struct(">8sQ")
#: Fewest messages ``seal_messages`` seals as a run (below, its set-up costs more than it saves).
_RUN_MIN = 4
#: The run's low nonce bytes, stored with one strided slice assignment.
_LOW_BYTES = bytes(range(256))
_frames_of = chain.from_iterable
#: The 16 bytes a plaintext grows by when sealed in place (the Poly1305 tag).
_TAG_ROOM = bytes(BOX_OVERHEAD)
#: Fewest frames ``open_stream`` opens as a run: its checks cost a few C calls per run.
_OPEN_RUN_MIN = 8
#: A long ZMTP frame's header: flags byte (LONG), 8-byte size (docs/protocol/zmtp.md §5).
_LONG_HEADER_SIZE = 9
_NO_STRUCT = struct.Struct("")
_ONE_BYTE = tuple(bytes((i,)) for i in range(256))


def _leading(run: bytes, value: int) -> int:
    """How many bytes at the start of ``run`` equal ``value``."""
    size = len(run)
    # Counting is a tight loop in C; ``lstrip`` looks each byte up in its argument.
    if run.count(value) == size:
        return size
    return size - len(run.lstrip(_ONE_BYTE[value]))


class MessageSealer:
    """Seals CurveZMQ MESSAGE commands for one direction of one connection, whole ZMTP frames
    queued straight onto a ``FrameEncoder``.

    ``shared`` is the ``precompute``d transient key, ``nonce_prefix`` the 16-byte MESSAGE nonce
    prefix of the sender (RFC 26: ``CurveZMQMESSAGEC``/``S``). Each frame goes out as
    ``head_for(size)`` (the ZMTP frame header and the command name, the caller's business;
    ``heads[size]`` when ``size < len(heads)``), 8-byte short nonce, ``Box[flags + body]``.
    ``more_flag`` is the inner flags value of every frame but a message's last.

    Why a class, and one call for a whole batch of messages: per message, the public bindings
    cost as much again as the cipher, and Python charges per operation and per call. A scratch
    buffer is wrapped for libsodium once; each frame's flags and body are copied into it and
    encrypted in place (``crypto_box_easy_afternm`` allows the box to overlap the message: it
    lands 16 bytes before its plaintext), and the short nonce and box go to the encoder in one
    copy. A batch of one-frame messages of one size is laid out in the encoder's buffer and
    sealed where it lies (``_seal_run``). Bodies above ``capacity`` get a buffer of their own,
    queued uncopied. Without ``nacl._sodium`` every frame takes that path through the public
    bindings (same bytes).
    """

    __slots__ = (
        "_box",
        "_head_for",
        "_heads",
        "_last",
        "_more",
        "_nonce",
        "_plain",
        "_prefix",
        "_scratch",
        "_shared",
        "_tails",
        "_view",
        "capacity",
    )

    def __init__(
        self,
        shared: bytes,
        nonce_prefix: bytes,
        *,
        heads: Sequence[bytes],
        head_for: Callable[[int], bytes],
        more_flag: int,
        capacity: int,
    ) -> None:
        if len(shared) != KEY_SIZE or len(nonce_prefix) != _SHORT_AT:
            raise ValueError("bad shared key or nonce prefix size")
        self._shared = shared
        self._prefix = nonce_prefix
        self._head_for = head_for
        self._more = more_flag
        # Nonce, box, then (at ``_last``) the flags byte and body of a message's last frame,
        # sealed out of place: that flags byte is 0 for good, so it is never written again.
        room = 1 + max(capacity, 0)
        scratch = bytearray(_PLAIN_AT + 2 * room)
        scratch[:_SHORT_AT] = nonce_prefix
        self._scratch = scratch
        # Slice writes through a memoryview cost half those on the (exported) bytearray.
        self._view = memoryview(scratch)
        self._nonce: Any = None
        self._box: Any = None
        self._plain: Any = None
        self._last: Any = None
        #: Heads of the frames sealed in the scratch buffer on the fast path, by body size.
        self._heads: tuple[bytes, ...] = ()
        #: The largest body sealed in the scratch buffer (larger ones: ``seal``).
        self.capacity = -1
        _load()
        if _sodium is not None:
            # An exported bytearray cannot be resized, so these pointers stay valid for good.
            self._nonce = _ptr(scratch)
            self._box = self._nonce + _TAG_AT
            self._plain = self._nonce + _PLAIN_AT
            self._last = self._plain + room
            self.capacity = capacity
            self._heads = tuple(heads[: capacity + 1])
        #: The fast path's wire tail (short nonce + box) in the scratch buffer, by body size,
        #: made on first use: slicing a memoryview per frame costs as much as copying it out.
        self._tails: list[memoryview | None] = [None] * len(self._heads)

    def seal_messages(
        self, messages: Sequence[Sequence[BytesLike]], encoder: FrameEncoder, nonce: int
    ) -> int:
        """Queue every frame of every message on ``encoder``, short nonces counting up from
        ``nonce``; returns the next nonce. Each message has a frame at least (the connection
        refuses empty ones)."""
        count = len(messages)
        # A batch of one-frame messages of one size up to ``capacity`` (what a steady sender
        # queues) is sealed as a run. The first message decides whether to look; the checks
        # run in C, one pass each (every message has a frame, so there are as many frames as
        # messages only when each has one).
        if count >= _RUN_MIN and len(messages[0]) == 1 and len(messages[0][0]) <= self.capacity:
            bodies = list(_frames_of(messages))
            if len(bodies) == count:
                sizes = list(map(len, bodies))
                size = sizes[0]
                if sizes.count(size) == count:
                    return self._seal_run(bodies, size, encoder.buffer, nonce)
        out = encoder.buffer  # the same bytearray for good (``chunk`` only clears it)
        view = self._view
        heads = self._heads
        tails = self._tails
        short_sizes = len(heads)
        box = self._box
        last_frame = self._last
        nonce_ptr = self._nonce
        shared = self._shared
        seal_one = self.seal_frame
        more = self._more
        # Locals: each global or attribute lookup is a measurable share of the per-frame cost.
        pack_nonce = _pack_nonce_into
        short_at = _SHORT_AT
        body_at = _PLAIN_AT + (len(view) - _PLAIN_AT) // 2 + 1  # behind last_frame's flags
        box_end = _PLAIN_AT + 1
        seal: Any = _sodium.crypto_box_easy_afternm if short_sizes else None
        # Short nonces count up by one, so from one frame to the next only the low byte
        # changes, except at a carry: a byte store instead of packing all eight (the scratch
        # always holds the last nonce packed, here or in ``seal_frame``).
        pack_nonce(view, short_at, nonce)
        low_at = short_at + 7
        for frames in messages:
            if len(frames) == 1:
                body = frames[0]
                size = len(body)
                if size < short_sizes:
                    # The common case, inlined: a one-frame message, small.
                    low = nonce & 255
                    if low:
                        view[low_at] = low
                    else:
                        pack_nonce(view, short_at, nonce)
                    view[body_at : body_at + size] = body
                    seal(box, last_frame, size + 1, nonce_ptr, shared)
                    out += heads[size]
                    tail = tails[size]
                    if tail is None:
                        tail = tails[size] = view[short_at : box_end + size]
                    out += tail
                    nonce += 1
                    continue
            last = len(frames) - 1
            for i, body in enumerate(frames):
                seal_one(encoder, body, more if i < last else 0, nonce)
                nonce += 1
        return nonce

    def _seal_run(self, bodies: list[BytesLike], size: int, out: bytearray, nonce: int) -> int:
        """Append ``bodies`` (one-frame messages of ``size <= capacity`` bytes) to
        ``out`` as MESSAGE frames, short nonces from ``nonce``; returns the next nonce.

        The frames are laid out in ``out`` first, with C-level joins: every frame is head,
        short nonce, flags byte 0 (a message's last frame), body and 16 bytes of room, and
        within a run of nonces that share all but their low byte only that byte differs from
        one frame to the next (stored for the whole run with one strided slice). Then each box
        is sealed in place, where it goes on the wire, one libsodium call per frame and no
        copy in Python: libsodium's "easy" box may be sealed where its plaintext lies (the
        ciphertext moves 16 bytes on, behind the tag)."""
        seal = _sodium.crypto_box_easy_afternm
        nonce_byte = self._scratch  # the 24-byte libsodium nonce is at its start
        nonce_ptr = self._nonce
        shared = self._shared
        heads = self._heads
        head = heads[size] if size < len(heads) else self._head_for(size)
        step = len(head) + 8 + BOX_OVERHEAD + 1 + size  # one whole frame
        low_at = NONCE_SIZE - 1
        length = size + 1
        done = 0
        count = len(bodies)
        while done < count:
            low = nonce & 255
            run = min(count - done, 256 - low)  # up to the next carry of the low byte
            short = _pack_nonce(nonce)
            # The nonce of every frame of the run but its low byte, here and in the frames.
            _pack_nonce_into(nonce_byte, _SHORT_AT, nonce)
            # Each frame: head, short nonce, flags byte 0, body, room for the tag at the end.
            lead = head + short + b"\0"
            start = len(out)
            out += lead
            out += (_TAG_ROOM + lead).join(bodies[done : done + run] if run < count else bodies)
            out += _TAG_ROOM
            short_low = start + len(head) + 7
            out[short_low : short_low + run * step : step] = _LOW_BYTES[low : low + run]
            tag = short_low + 1
            end = tag + run * step
            base = _ptr(out)  # ``out`` cannot be resized until released, below
            try:
                for at in range(tag, end, step):
                    nonce_byte[low_at] = low
                    box = base + at
                    seal(box, box, length, nonce_ptr, shared)  # in place
                    low += 1
            finally:
                _ffi.release(base)
            done += run
            nonce += run
        return nonce

    def seal_frame(self, encoder: FrameEncoder, body: BytesLike, flags: int, nonce: int) -> None:
        """Queue one frame (any size, any inner ``flags``) on ``encoder``."""
        size = len(body)
        if size > self.capacity:
            encoder.chunk(memoryview(self.seal(self._head_for(size), flags, body, nonce)))
            return
        view = self._view
        _pack_nonce_into(view, _SHORT_AT, nonce)
        view[_PLAIN_AT] = flags
        end = _PLAIN_AT + 1 + size
        view[_PLAIN_AT + 1 : end] = body
        _sodium.crypto_box_easy_afternm(self._box, self._plain, size + 1, self._nonce, self._shared)
        out = encoder.buffer
        out += self._head_for(size)
        out += view[_SHORT_AT:end]

    def seal(self, head: bytes, flags: int, body: BytesLike, nonce: int) -> bytearray:
        """``head`` + short nonce + ``Box[flags + body]`` in a buffer of its own."""
        short = _pack_nonce(nonce)
        if _sodium is None:
            box = box_afternm(bytes((flags,)) + bytes(body), self._prefix + short, self._shared)
            return bytearray(head + short + box)
        at = len(head) + 8
        frame = bytearray(at + BOX_OVERHEAD + 1 + len(body))
        frame[: at - 8] = head
        frame[at - 8 : at] = short
        frame[at + BOX_OVERHEAD] = flags
        frame[at + BOX_OVERHEAD + 1 :] = body
        ptr = _ptr(frame)
        try:
            _sodium.crypto_box_easy_afternm(
                ptr + at, ptr + at + BOX_OVERHEAD, len(body) + 1, self._prefix + short, self._shared
            )
        finally:
            _ffi.release(ptr)
        return frame


class MessageRejected(Exception):
    """A received MESSAGE failed a check of ``MessageOpener.open_frames``; ``reason`` is
    ``"size"``, ``"name"``, ``"nonce"`` (not above ``last_nonce``) or ``"box"``, ``size`` and
    ``nonce`` describe the bad MESSAGE, ``last_nonce`` is the nonce of the last good one."""

    def __init__(self, reason: str, size: int, nonce: int, last_nonce: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size
        self.nonce = nonce
        self.last_nonce = last_nonce


class MessageOpener:
    """Opens CurveZMQ MESSAGE command bodies for one direction of one connection.

    ``open_frames(frames, out, last_nonce)`` checks each received ``(flags, body)`` frame as
    libzmq does (``curve_encoding_t::decode``: size >= 33, the MESSAGE name, a short nonce
    strictly above the last one, then the box), appends ``(flag_map[flags byte], payload)`` to
    ``out`` and returns the last nonce; the first bad frame raises ``MessageRejected``, the good
    ones before it already in ``out``. ``flag_map`` (256 entries) translates the inner flags
    byte for the caller. The outer frame flags are not looked at.

    Why here and in one call per batch: these checks and the libsodium call are the whole
    per-frame receive cost under CURVE, and Python charges per operation. Small boxes are
    decrypted into a scratch buffer wrapped for libsodium once, and the payload is copied out
    of it straight into its final ``bytes``; large ones are decrypted from the frame without
    copying the ciphertext. ``open_stream`` opens a run of frames of one size in place, in one
    copy of the run (``_open_run``). Without ``nacl._sodium`` every box takes the large path,
    which falls back to the public bindings.
    """

    __slots__ = (
        "_expected",
        "_flag_map",
        "_name",
        "_nonce",
        "_nonce_ptr",
        "_payload",
        "_plain",
        "_prefix",
        "_scratch",
        "_shared",
        "_unpackers",
        "capacity",
    )

    def __init__(
        self,
        shared: bytes,
        nonce_prefix: bytes,
        name: bytes,
        flag_map: Sequence[int],
        capacity: int,
    ) -> None:
        if (
            len(shared) != KEY_SIZE
            or len(nonce_prefix) != _SHORT_AT
            or len(name) != _NAME_SIZE
            or len(flag_map) != 256
        ):
            raise ValueError("bad shared key, nonce prefix, name or flag map size")
        self._shared = shared
        self._prefix = nonce_prefix
        self._name = name
        self._flag_map = tuple(flag_map)
        self._nonce = bytearray(nonce_prefix + bytes(8))
        #: ``open_stream``'s expected MESSAGE head: the name, then the short nonce it expects.
        self._expected = bytearray(name + bytes(8))
        self._scratch = bytearray(1 + max(capacity, 0))
        #: How the last run's frames were cut: its ZMTP header and body sizes, then the
        #: ``struct`` giving ``(payload,)`` and the one giving ``(flags byte, payload)``. One
        #: entry, as runs of one size follow each other.
        self._unpackers: tuple[int, int, struct.Struct, struct.Struct] = (
            0,
            0,
            _NO_STRUCT,
            _NO_STRUCT,
        )
        self._plain: Any = None
        self._payload: Any = None
        self._nonce_ptr: Any = None
        #: The largest flags byte + payload opened in the scratch buffer.
        self.capacity = -1
        _load()
        if _sodium is not None:
            self._nonce_ptr = _ptr(self._nonce)
            self._plain = _ptr(self._scratch)
            # A slice of a cffi buffer is ``bytes``: one copy, and cheaper to call than
            # ``ffi.unpack`` (no keyword parsing). Index 0 is the flags byte.
            self._payload = _ffi.buffer(self._plain)
            self.capacity = capacity

    def open_frames(
        self, frames: Sequence[tuple[int, bytes]], out: list[tuple[int, bytes]], last_nonce: int
    ) -> int:
        name = self._name
        capacity = self.capacity
        flag_map = self._flag_map
        scratch = self._scratch
        nonce_buf = self._nonce
        nonce_ptr = self._nonce_ptr
        plain = self._plain
        payload = self._payload
        shared = self._shared
        # Locals: each global or attribute lookup is a measurable share of the per-frame cost.
        unpack_head = _MESSAGE_HEAD.unpack_from
        pack_nonce = _pack_nonce_into
        open_box: Any = _sodium.crypto_box_open_easy_afternm if capacity >= 0 else None
        append = out.append
        for _, body in frames:
            size = len(body) - _MESSAGE_PLAIN_AT  # flags byte + payload
            if size < 1:
                raise MessageRejected("size", size + _MESSAGE_PLAIN_AT, 0, last_nonce)
            head, nonce = unpack_head(body)
            if head != name:
                raise MessageRejected("name", size + _MESSAGE_PLAIN_AT, nonce, last_nonce)
            if nonce <= last_nonce:
                raise MessageRejected("nonce", size + _MESSAGE_PLAIN_AT, nonce, last_nonce)
            if size > capacity:
                frame = self._open_large(body)
                if frame is None:
                    raise MessageRejected("box", size + _MESSAGE_PLAIN_AT, nonce, last_nonce)
                append(frame)
            else:
                pack_nonce(nonce_buf, _SHORT_AT, nonce)
                if open_box(plain, body[_BOX_AT:], size + BOX_OVERHEAD, nonce_ptr, shared):
                    raise MessageRejected("box", size + _MESSAGE_PLAIN_AT, nonce, last_nonce)
                append((flag_map[scratch[0]], payload[1:size]))
            last_nonce = nonce
        return last_nonce

    def open_stream(
        self,
        data: bytes,
        out: list[tuple[int, bytes]],
        last_nonce: int,
        max_size: int,
        messages: list[list[bytes]] | None = None,
    ) -> tuple[int, int]:
        """``open_frames`` straight from received bytes, without cutting out each frame body
        first: opens the run of frames of one size at the start of ``data`` (``_open_run``,
        short or long frames), then walks the whole short message frames (flags ``00``, as
        libzmq sends MESSAGE, docs/protocol/mechanisms.md §3.8) whose size is 33..``max_size``
        (-1: 255). Stops at the first other frame, a partial one, or the end, and returns
        ``(bytes used, last nonce)``; what is left is for the caller's frame decoder.

        With ``messages`` (the caller has no message part pending), each frame that is a whole
        one-part message (inner flags byte 0) is appended to ``messages`` as
        ``[payload]``, until the first frame that is not: from that one on, every frame goes to
        ``out`` as without ``messages``, so the caller sees them in order."""
        if self.capacity < 0:
            return 0, last_nonce  # no libsodium handle: everything takes open_frames
        name = self._name
        flag_map = self._flag_map
        scratch = self._scratch
        nonce_buf = self._nonce
        nonce_ptr = self._nonce_ptr
        plain = self._plain
        payload = self._payload
        shared = self._shared
        expected = self._expected
        # Locals: each global or attribute lookup is a measurable share of the per-frame cost.
        unpack_head = _MESSAGE_HEAD.unpack_from
        pack_nonce = _pack_nonce_into
        open_box = _sodium.crypto_box_open_easy_afternm
        short_at = _SHORT_AT
        # Senders count short nonces up by one (libzmq does, and so do we), so the head of the
        # next MESSAGE is almost always ``name`` + the last nonce + 1: ``expected`` holds it and
        # ``nonce_buf`` the same nonce behind its prefix, both updated by their low byte only,
        # except at a carry (both hold the last nonce on entry). A frame that starts otherwise
        # takes the full checks: RFC 26 only asks nonces to increase, a peer may skip some.
        largest = 255 if max_size < 0 else min(max_size, 255)
        pos, last_nonce, direct = self._open_run(data, out, last_nonce, max_size, messages)
        pack_nonce(nonce_buf, short_at, last_nonce)
        pack_nonce(expected, _NAME_SIZE, last_nonce)
        low_at = NONCE_SIZE - 1
        expected_low_at = _BOX_AT - 1
        append = out.append
        deliver: Any = messages.append if messages is not None else None
        box_at = _BOX_AT
        plain_at = _MESSAGE_PLAIN_AT
        # Boxes are read where they lie: pointer arithmetic costs less than slicing them out.
        boxes = _ptr(data) + box_at
        total = len(data)
        end = total - 2
        while pos < end:
            if data[pos]:
                break  # not a short message frame
            size = data[pos + 1]
            start = pos + 2
            stop = start + size
            if stop > total or size > largest or size <= plain_at:
                break  # partial, too large or too small: the decoder's to handle or reject
            nonce = last_nonce + 1
            low = nonce & 255
            if low:
                nonce_buf[low_at] = low
                expected[expected_low_at] = low
            else:
                pack_nonce(nonce_buf, short_at, nonce)
                pack_nonce(expected, _NAME_SIZE, nonce)
            if not data.startswith(expected, start):
                head, nonce = unpack_head(data, start)
                if head != name:
                    raise MessageRejected("name", size, nonce, last_nonce)
                if nonce <= last_nonce:
                    raise MessageRejected("nonce", size, nonce, last_nonce)
                pack_nonce(nonce_buf, short_at, nonce)
                pack_nonce(expected, _NAME_SIZE, nonce)
            if open_box(plain, boxes + start, size - box_at, nonce_ptr, shared):
                raise MessageRejected("box", size, nonce, last_nonce)
            inner = scratch[0]
            if direct and not inner:
                deliver([payload[1 : size - plain_at]])
            else:
                direct = False
                append((flag_map[inner], payload[1 : size - plain_at]))
            last_nonce = nonce
            pos = stop
        return pos, last_nonce

    def _open_run(
        self,
        data: bytes,
        out: list[tuple[int, bytes]],
        last_nonce: int,
        max_size: int,
        messages: list[list[bytes]] | None,
    ) -> tuple[int, int, bool]:
        """``open_stream``'s first step: the run of message frames of one size (short ones, or
        long ones whose flags byte + payload fit ``capacity``; at most ``max_size`` bytes unless
        it is -1) at the start of ``data`` whose heads are what a sender counting its nonces up
        by one sends. Returns ``(bytes used, last nonce, whether frames still go to
        messages)``; 0 bytes when there is no such run of ``_OPEN_RUN_MIN`` frames.

        Every frame of a run has the same ZMTP header and MESSAGE name, and within the frames
        whose nonces share all but the low byte, the same seven high nonce bytes: each of these
        byte positions is checked for the whole run with one strided slice, and the low bytes
        against the expected sequence, so no Python step per frame but the libsodium call.
        The run ends before the first frame that differs, which the per-frame loop then checks
        as libzmq does (a nonce gap is allowed, a repeated one is not). The boxes are opened in
        place in one copy of the run, and the payloads cut out of it by ``struct`` in C."""
        direct = messages is not None
        total = len(data)
        # A message frame: no MORE (libzmq sends MESSAGE so, docs/protocol/mechanisms.md
        # §3.8), short (flags 0, one size byte) or long (flags LONG, eight size bytes).
        if total < _LONG_HEADER_SIZE:
            return 0, last_nonce, direct
        if not data[0]:
            header = 2
            size = data[1]
        elif data[0] == FLAG_LONG:
            header = _LONG_HEADER_SIZE
            size = int.from_bytes(data[1:header], "big")
        else:
            return 0, last_nonce, direct
        stride = header + size
        count = total // stride
        if (
            size <= _MESSAGE_PLAIN_AT
            or size - _MESSAGE_PLAIN_AT > self.capacity
            or 0 <= max_size < size
            or count < _OPEN_RUN_MIN
        ):
            return 0, last_nonce, direct
        for at, byte in enumerate(data[:header] + self._name):
            count = _leading(data[at : count * stride : stride], byte)
        box_size = size - _BOX_AT
        open_box = _sodium.crypto_box_open_easy_afternm
        nonce_buf = self._nonce
        nonce_ptr = self._nonce_ptr
        shared = self._shared
        low_at = NONCE_SIZE - 1
        short_at = header + _NAME_SIZE  # a frame's short nonce: behind its header and name
        pos = 0
        while count >= _OPEN_RUN_MIN:
            nonce = last_nonce + 1
            low = nonce & 255
            run = min(count, 256 - low)  # up to the next carry of the low byte
            high = _pack_nonce(nonce)
            for at in range(7):
                start = pos + short_at + at
                run = _leading(data[start : start + run * stride : stride], high[at])
            start = pos + short_at + 7
            lows = data[start : start + run * stride : stride]
            if lows != _LOW_BYTES[low : low + run]:
                run = next(i for i, byte in enumerate(lows) if byte != low + i)
            if run < _OPEN_RUN_MIN:
                break
            # A copy of the run's frames to open in place (libsodium's "easy" box may be
            # opened where it lies: the plaintext lands where the tag was).
            frames = bytearray(memoryview(data)[pos : pos + run * stride])
            base = _ptr(frames)  # never resized: pointers into it stay valid
            _pack_nonce_into(nonce_buf, _SHORT_AT, nonce)
            opened = run
            for at in range(header + _BOX_AT, run * stride, stride):
                nonce_buf[low_at] = low
                box = base + at
                if open_box(box, box, box_size, nonce_ptr, shared):
                    opened = low - (nonce & 255)
                    break
                low += 1
            direct = self._deliver_run(frames, opened, header, size, direct, out, messages)
            pos += opened * stride
            last_nonce += opened
            if opened < run:
                raise MessageRejected("box", size, last_nonce + 1, last_nonce)
            count -= run
        return pos, last_nonce, direct

    def _deliver_run(
        self,
        frames: bytearray,
        count: int,
        header: int,
        size: int,
        direct: bool,
        out: list[tuple[int, bytes]],
        messages: list[list[bytes]] | None,
    ) -> bool:
        """Hand over the first ``count`` frames of ``frames`` (``header``-byte ZMTP header,
        ``size``-byte MESSAGE body, opened in place: flags byte and payload where the tag was)
        as ``open_stream`` does; returns whether frames still go to ``messages``."""
        skip = header + _BOX_AT  # ZMTP header, name, short nonce
        stride = header + size
        unpackers = self._unpackers
        if unpackers[1] != size or unpackers[0] != header:
            # Flags byte, payload, then the box's last 16 bytes (stale ciphertext).
            payload = size - _MESSAGE_PLAIN_AT - 1
            unpackers = self._unpackers = (
                header,
                size,
                struct.Struct(f"{skip + 1}x{payload}s{BOX_OVERHEAD}x"),
                struct.Struct(f"{skip}xB{payload}s{BOX_OVERHEAD}x"),
            )
        used = count * stride
        cut = frames if used == len(frames) else memoryview(frames)[:used]
        if direct and messages is not None and not frames[skip:used:stride].strip(b"\0"):
            # Each frame a whole one-part message (inner flags 0): the common case, in C.
            messages += map(list, unpackers[2].iter_unpack(cut))
            return True
        flag_map = self._flag_map
        for inner, payload in unpackers[3].iter_unpack(cut):
            if direct and not inner and messages is not None:
                messages.append([payload])
            else:
                direct = False
                out.append((flag_map[inner], payload))
        return direct

    def _open_large(self, body: bytes) -> tuple[int, bytes] | None:
        nonce = self._prefix + body[_NAME_SIZE:_BOX_AT]
        try:
            plain = open_after(body, _BOX_AT, nonce, self._shared)
        except CryptoError:
            return None
        return self._flag_map[plain[0]], bytes(memoryview(plain)[1:])


def secretbox(plaintext: bytes, nonce: bytes, key: bytes) -> bytes:
    """``crypto_secretbox`` (the CURVE cookie, RFC 26 §WELCOME)."""
    return bytes(_fn("crypto_secretbox_easy")(plaintext, nonce, key))


def secretbox_open(ciphertext: bytes, nonce: bytes, key: bytes) -> bytes:
    """Open a ``crypto_secretbox``; raises ``CryptoError`` on failure."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("secretbox shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_secretbox_open_easy")(ciphertext, nonce, key))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "BOX_OVERHEAD",
    "MISSING_MESSAGE",
    "CryptoError",
    "available",
    "require",
    "random_bytes",
    "public_from_secret",
    "keypair",
    "box",
    "box_open",
    "precompute",
    "box_afternm",
    "box_open_afternm",
    "seal_after",
    "open_after",
    "MessageSealer",
    "MessageOpener",
    "MessageRejected",
    "secretbox",
    "secretbox_open",
]
