"""The PGM source (RFC 3208 §5, §6.1): transmit window, SPMs, repairs, rate limit.

* Each APDU becomes one ODATA with the next sequence number. ``window_sqns`` is the window
  libzmq 4.3.4 gives OpenPGM on both sides (PGM_TXW_SQNS at a source, PGM_RXW_SQNS at a
  receiver: RECOVERY_IVL × RATE / MAXTPDU, see ``window_sqns()``). The source keeps
  ``trail_margin()`` packets fewer than that for repairs, so the trailing edge it advertises
  (in every ODATA, RDATA and SPM) passes a sequence number while a receiver with the same
  window still has that many free places. OpenPGM's receiver reads the trail before it places
  the packet carrying it: it declares a missing sqn lost when the trail passes it and reports
  the loss (PGM_IO_STATUS_RESET) before any data after it, so libzmq resynchronises at the next
  message boundary. When its window fills first it drops the sqn off its trailing edge
  instead and hands out the data after it before reporting the loss, which libzmq's decoder
  reads as the rest of the interrupted message (docs/protocol/transports.md, pgm). The margin
  also covers the loss of up to ``trail_margin() - 1`` packets in a row just as the trail
  passes. An OpenPGM source leaves no margin: ODATA n carries the trail read before n enters
  its window.
* A NAK for sequence numbers still in the window is confirmed at once with a multicast NCF and
  answered with RDATA (§6.1), queued and paced by RATE like new data but ahead of it. A NAK
  for data that has left the window is ignored: the receivers learn the new trailing edge
  from ODATA/SPM and report the loss.
* SPMs (RFC 3208 §3.5, §6.1) tell receivers the window and the address to NAK (a receiver
  without one cannot NAK at all). Three go out at start, then on two independent schedules,
  the ones libzmq 4.3.4 gives OpenPGM (PGM_AMBIENT_SPM, PGM_HEARTBEAT_SPM) as OpenPGM 5.3.128
  runs them (``timer.c``): *ambient* SPMs every ``AMBIENT`` seconds whatever the data does
  (data never pushes them back), so a receiver that joins a busy stream learns the NLA
  within that time; *heartbeat* SPMs after the last data packet at the gaps of
  ``HEARTBEAT_AFTER_ODATA`` (``HEARTBEAT_AFTER_RDATA`` after a repair), each new data packet
  starting them over, so a receiver that lost the tail of a burst learns the lead and NAKs it.
  When both fall due together one SPM serves both. An SPMR is answered with an SPM at once.
  (The schedule as captured from a libzmq source: docs/protocol/transports.md, pgm.)
* RATE (kbit/s) is a token bucket over the bytes put on the wire (headers included);
  ``send_delay`` says how long to wait before the next packet fits.

Sans-IO: methods take ``now`` (seconds, monotonic) and return packets (bytes) to multicast.
"""

from __future__ import annotations

from collections import deque

from . import packet as pk

#: libzmq 4.3.4's PGM_HEARTBEAT_SPM intervals for its sources (``pgm_socket.cpp``), seconds.
HEARTBEAT_SPM = (0.1, 0.1, 0.1, 0.1, 1.3, 7.0, 16.0, 25.0, 30.0)
#: The gaps between heartbeat SPMs after ODATA as OpenPGM 5.3.128 reads that array: the data
#: packet arms the first interval and the first heartbeat adds it again, and the heartbeats
#: stop when the array's index reaches its length, so its last two entries are never used.
#: Heartbeats therefore follow the last ODATA by 0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8, 24.8 s.
HEARTBEAT_AFTER_ODATA = (HEARTBEAT_SPM[0], *HEARTBEAT_SPM[:-2])
#: After RDATA OpenPGM starts one step further into the array: 0.1, 0.2, 0.3, 0.4, 1.7, 8.7,
#: 24.7 s.
HEARTBEAT_AFTER_RDATA = HEARTBEAT_SPM[:-2]
#: libzmq 4.3.4's PGM_AMBIENT_SPM for its sources, seconds.
AMBIENT = 30.0
#: IP + UDP bytes counted against RATE for each packet (epgm; raw pgm saves 8).
WIRE_OVERHEAD = 28


class Source:
    __slots__ = (
        "_ambient_at",
        "_burst",
        "_capacity",
        "_heartbeat_at",
        "_heartbeat_gaps",
        "_heartbeat_step",
        "_next_sqn",
        "_repairs",
        "_spm_sqn",
        "_tokens",
        "_tokens_at",
        "_window",
        "dport",
        "group",
        "gsi",
        "nla",
        "rate",
        "repairs_sent",
        "sport",
        "window_sqns",
    )

    def __init__(
        self,
        gsi: bytes,
        sport: int,
        dport: int,
        nla: bytes,
        group: bytes,
        *,
        window_sqns: int,
        rate: float,
        now: float,
    ) -> None:
        self.gsi, self.sport, self.dport, self.nla, self.group = gsi, sport, dport, nla, group
        self.window_sqns = max(1, window_sqns)
        #: Packets kept for repair: fewer than a receiver's window (see the module doc).
        self._capacity = max(1, self.window_sqns - trail_margin(self.window_sqns))
        #: Bytes per second on the wire (0: unlimited).
        self.rate = rate
        self._window: deque[bytes] = deque()
        self._next_sqn = 0
        self._spm_sqn = 0
        #: The bucket holds 10 ms of RATE, at least one 64 KiB burst, and starts full.
        self._burst = max(rate * 0.01, 65536.0) if rate else 0.0
        self._tokens = self._burst
        self._tokens_at = now
        self._ambient_at = now + AMBIENT
        #: The next heartbeat SPM (None: none until data flows), its gaps and the next one.
        self._heartbeat_at: float | None = None
        self._heartbeat_gaps: tuple[float, ...] = ()
        self._heartbeat_step = 0
        self.repairs_sent = 0
        #: NAKed sqns waiting for their RDATA, oldest NAK first (a dict as an ordered set).
        self._repairs: dict[int, None] = {}

    # -- window -------------------------------------------------------------------------------

    @property
    def trail(self) -> int:
        return (self._next_sqn - len(self._window)) & 0xFFFFFFFF

    @property
    def lead(self) -> int:
        return (self._next_sqn - 1) & 0xFFFFFFFF

    def _in_window(self, sqn: int) -> int | None:
        """The window index of ``sqn``, or None when it has left (or never entered) it."""
        age = (self._next_sqn - 1 - sqn) & 0xFFFFFFFF
        if age >= len(self._window):
            return None
        return len(self._window) - 1 - age

    # -- sending ------------------------------------------------------------------------------

    def start(self, now: float) -> list[bytes]:
        """The SPMs a source sends as it opens (OpenPGM: three, so receivers learn the NLA);
        the rate limit's clock starts here."""
        self._tokens_at = now
        self._ambient_at = now + AMBIENT
        return [self._spm() for _ in range(3)]

    def send(self, apdu: bytes, now: float) -> bytes:
        """ODATA for ``apdu`` (the caller checked ``send_delay`` first)."""
        sqn = self._next_sqn
        self._window.append(apdu)
        if len(self._window) > self._capacity:
            self._window.popleft()
        self._next_sqn = (sqn + 1) & 0xFFFFFFFF
        data = pk.encode_data(self.sport, self.dport, self.gsi, sqn, self.trail, apdu)
        self._spend(len(data), now)
        self._restart_heartbeat(HEARTBEAT_AFTER_ODATA, now)
        return data

    def send_delay(self, size: int, now: float) -> float:
        """Seconds until a packet of ``size`` TSDU bytes may go out under RATE (0: now)."""
        if not self.rate:
            return 0.0
        self._refill(now)
        need = size + pk.DATA_HEADER_SIZE + WIRE_OVERHEAD
        missing = min(need, self._burst) - self._tokens
        # Under a microsecond's worth counts as there: a float remainder must not spin the loop.
        return 0.0 if missing <= self.rate * 1e-6 else missing / self.rate

    def _refill(self, now: float) -> None:
        elapsed = now - self._tokens_at
        self._tokens_at = now
        if elapsed > 0:
            self._tokens = min(self._burst, self._tokens + elapsed * self.rate)

    def _spend(self, size: int, now: float) -> None:
        if self.rate:
            self._refill(now)
            self._tokens -= size + WIRE_OVERHEAD

    def _spm(self) -> bytes:
        spm = pk.encode_spm(
            self.sport, self.dport, self.gsi, self._spm_sqn, self.trail, self.lead, self.nla
        )
        self._spm_sqn = (self._spm_sqn + 1) & 0xFFFFFFFF
        return spm

    # -- timers -------------------------------------------------------------------------------

    def deadline(self) -> float:
        """When ``on_timer`` next has an SPM to send."""
        if self._heartbeat_at is None:
            return self._ambient_at
        return min(self._ambient_at, self._heartbeat_at)

    def on_timer(self, now: float) -> list[bytes]:
        """The SPM due at ``now`` (one, even when an ambient and a heartbeat SPM both are)."""
        ambient_due = now >= self._ambient_at
        heartbeat_due = self._heartbeat_at is not None and now >= self._heartbeat_at
        if not (ambient_due or heartbeat_due):
            return []
        if ambient_due:
            # OpenPGM counts the next ambient SPM from now: its timing is loose.
            self._ambient_at = now + AMBIENT
        if heartbeat_due:
            self._advance_heartbeat(now)
        return [self._spm()]

    def _restart_heartbeat(self, gaps: tuple[float, ...], now: float) -> None:
        self._heartbeat_gaps = gaps
        self._heartbeat_step = 1
        self._heartbeat_at = now + gaps[0]

    def _advance_heartbeat(self, now: float) -> None:
        # Heartbeats keep to their schedule from the last data packet (OpenPGM bases each on
        # the previous one, not on when the timer ran), skipping any the loop was late for.
        at = self._heartbeat_at
        assert at is not None
        gaps = self._heartbeat_gaps
        while at <= now:
            if self._heartbeat_step >= len(gaps):
                self._heartbeat_at = None
                return
            at += gaps[self._heartbeat_step]
            self._heartbeat_step += 1
        self._heartbeat_at = at

    # -- from receivers -----------------------------------------------------------------------

    def on_packet(self, packet: pk.Packet, now: float) -> list[bytes]:
        """A NAK or SPMR for this source: the NCF and repairs (or SPM) to multicast."""
        if packet.gsi != self.gsi or packet.dport != self.sport:
            return []
        if packet.type == pk.SPMR:
            return [self._spm()]
        if packet.type != pk.NAK:
            return []
        wanted = [s for s in dict.fromkeys(packet.sqns) if self._in_window(s) is not None]
        if not wanted:
            return []
        for sqn in wanted:
            if sqn not in self._repairs:
                self._repairs[sqn] = None
        return [pk.encode_ncf(self.sport, self.dport, self.gsi, wanted, self.nla, self.group)]

    def repair_delay(self, now: float) -> float | None:
        """None: no repair queued; else seconds until the next one fits under RATE."""
        while self._repairs:
            sqn = next(iter(self._repairs))
            index = self._in_window(sqn)
            if index is None:
                del self._repairs[sqn]  # left the window meanwhile: nothing to repair with
                continue
            return self.send_delay(len(self._window[index]), now)
        return None

    def next_repair(self, now: float) -> bytes | None:
        """RDATA for the oldest NAKed sqn still in the window (the caller checked
        ``repair_delay``); repairs share RATE with new data and go first (RFC 3208 §6.1)."""
        while self._repairs:
            sqn = next(iter(self._repairs))
            del self._repairs[sqn]
            index = self._in_window(sqn)
            if index is None:
                continue
            repair = pk.encode_data(
                self.sport, self.dport, self.gsi, sqn, self.trail, self._window[index], repair=True
            )
            self._spend(len(repair), now)
            self._restart_heartbeat(HEARTBEAT_AFTER_RDATA, now)
            self.repairs_sent += 1
            return repair
        return None


def trail_margin(window_sqns: int) -> int:
    """Free places a same-sized receive window still has when the advertised trail passes an
    sqn: a sixteenth of the window, at least 1 (see the module doc)."""
    return max(1, window_sqns // 16)


def window_sqns(recovery_ivl_ms: int, rate_kbit: int, max_tpdu: int) -> int:
    """The window in packets exactly as libzmq 4.3.4 computes it for OpenPGM's PGM_TXW_SQNS
    and PGM_RXW_SQNS (``pgm_socket_t::compute_sqns``): RATE in bytes per millisecond (kbit/s
    divided by 8, rounded down) × RECOVERY_IVL (ms) / MAXTPDU, at least 1. A libzmq receiver
    sizes its window with this formula from its own options, so the source must not exceed it
    for the same options (see the module doc)."""
    return max(1, recovery_ivl_ms * (rate_kbit // 8) // max(1, max_tpdu))


__all__ = [
    "AMBIENT",
    "HEARTBEAT_AFTER_ODATA",
    "HEARTBEAT_AFTER_RDATA",
    "HEARTBEAT_SPM",
    "Source",
    "trail_margin",
    "window_sqns",
]
