"""The PGM receiver (RFC 3208 §5, §6.2–6.3): in-order delivery per source, NAKs, loss.

Per source (TSI) the receiver keeps the next sequence number it must deliver and the packets
that came early. A gap is repaired by the NAK state machine of §6.3, with OpenPGM's timers as
libzmq configures them:

* BACK-OFF: a random wait up to ``nak_bo_ivl``, then a NAK (unicast to the source's NLA learnt
  from its SPM; several missing sqns go in one NAK with OPT_NAK_LIST). Without an NLA yet the
  receiver multicasts an SPMR and keeps waiting.
* WAIT-NCF: an NCF moves the sqn to WAIT-DATA; no NCF in ``nak_rpt_ivl`` → back off again,
  at most ``ncf_retries`` times.
* WAIT-DATA: RDATA (or a late ODATA) fills the gap; none in ``nak_rdata_ivl`` → back off
  again, at most ``data_retries`` times.

An sqn is lost when its retries run out or when the source's trailing edge (in ODATA and SPM)
moves past it: the data has left the source's window (RECOVERY_IVL). A loss is reported as an
event in the delivery order, so the caller drops the partial message and re-joins the message
stream at the next boundary; nothing waits on data that cannot come.

A source is first seen from an SPM (delivery starts after its leading edge) or from data
(delivery starts at that packet): a late joiner gets no history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import packet as pk

_MOD = 1 << 32
_HALF = 1 << 31
#: A jump further than this is a new stream, not a gap to repair.
MAX_GAP = 1 << 16

BACK_OFF, WAIT_NCF, WAIT_DATA = 0, 1, 2


def serial_after(a: int, b: int) -> bool:
    """``a`` is after ``b`` in 32-bit serial number arithmetic (RFC 1982)."""
    d = (a - b) % _MOD
    return 0 < d < _HALF


@dataclass(slots=True)
class _Missing:
    state: int
    deadline: float
    ncf_retries: int = 0
    data_retries: int = 0


@dataclass(slots=True)
class _Peer:
    next_sqn: int
    nla: bytes | None = None
    #: Where the source's data came from (the SPMR target before its NLA is known).
    unicast: bytes | None = None
    #: Early data (bytes) and given-up sqns (None) waiting for their turn.
    early: dict[int, bytes | None] = field(default_factory=dict)
    missing: dict[int, _Missing] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Data:
    tsi: pk.Tsi
    apdu: bytes


@dataclass(frozen=True, slots=True)
class Loss:
    tsi: pk.Tsi
    count: int


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A packet to send: to ``nla`` (the source, unicast) or, when None, to the group."""

    nla: bytes | None
    data: bytes


class Receiver:
    __slots__ = (
        "_peers",
        "_random",
        "data_retries",
        "dport",
        "group",
        "lost",
        "nak_bo_ivl",
        "nak_rdata_ivl",
        "nak_rpt_ivl",
        "naks_sent",
        "ncf_retries",
    )

    def __init__(
        self,
        dport: int,
        group: bytes,
        *,
        nak_bo_ivl: float = 0.05,
        nak_rpt_ivl: float = 0.2,
        nak_rdata_ivl: float = 0.2,
        ncf_retries: int = 50,
        data_retries: int = 50,
        rng: random.Random | None = None,
    ) -> None:
        self.dport = dport
        self.group = group
        self.nak_bo_ivl = nak_bo_ivl
        self.nak_rpt_ivl = nak_rpt_ivl
        self.nak_rdata_ivl = nak_rdata_ivl
        self.ncf_retries = ncf_retries
        self.data_retries = data_retries
        self._random = rng or random.Random()
        self._peers: dict[pk.Tsi, _Peer] = {}
        #: Sequence numbers given up on, over all sources.
        self.lost = 0
        self.naks_sent = 0

    # -- input --------------------------------------------------------------------------------

    def on_packet(
        self, packet: pk.Packet, now: float, sender: bytes | None = None
    ) -> list[Data | Loss]:
        """Feed one packet from the network; returns what is now deliverable, in order.

        ``sender`` is the IPv4 address the datagram came from: until an SPM names the source's
        NLA, an SPMR goes there as well as to the group (OpenPGM's source listens to unicast).
        """
        if packet.dport != self.dport and packet.type in (pk.SPM, pk.ODATA, pk.RDATA, pk.NCF):
            return []
        kind = packet.type
        tsi = packet.tsi
        peer = self._peers.get(tsi)
        if kind == pk.SPM:
            if peer is None:
                peer = self._peers[tsi] = _Peer((packet.lead + 1) % _MOD)
            peer.nla = packet.nla
            out = self._advance_trail(tsi, peer, packet.trail, packet.lead)
            self._note_lead(peer, packet.lead, now)
            return out
        if kind in (pk.ODATA, pk.RDATA):
            if peer is not None and peer.unicast is None:
                peer.unicast = sender
            if packet.fragment:
                return []  # libzmq never fragments an APDU; treat as lost and re-join
            if peer is None:
                peer = self._peers[tsi] = _Peer(packet.sqn, unicast=sender)
            out = self._advance_trail(tsi, peer, packet.trail, None)
            out += self._on_data(tsi, peer, packet.sqn, packet.payload, now)
            return out
        if kind == pk.NCF and peer is not None:
            for sqn in packet.sqns:
                entry = peer.missing.get(sqn)
                if entry is not None:
                    entry.state = WAIT_DATA
                    entry.deadline = now + self.nak_rdata_ivl
        return []

    def _on_data(
        self, tsi: pk.Tsi, peer: _Peer, sqn: int, payload: bytes, now: float
    ) -> list[Data | Loss]:
        nxt = peer.next_sqn
        if sqn != nxt and not serial_after(sqn, nxt):
            return []  # already delivered (or given up)
        if (sqn - nxt) % _MOD > MAX_GAP:
            # Too far ahead to repair: report what is skipped and restart there.
            out = self._drain(tsi, peer, force=True)
            skipped = (sqn - peer.next_sqn) % _MOD
            self.lost += skipped
            out.append(Loss(tsi, skipped))
            peer.next_sqn = sqn
            peer.early.clear()
            peer.missing.clear()
            nxt = sqn
        if sqn in peer.early and peer.early[sqn] is not None:
            return []
        peer.missing.pop(sqn, None)
        peer.early[sqn] = payload
        # Everything between the expected sqn and this one not yet seen is missing.
        s = nxt
        while s != sqn:
            if s not in peer.early and s not in peer.missing:
                peer.missing[s] = _Missing(BACK_OFF, now + self._backoff())
            s = (s + 1) % _MOD
        return self._drain(tsi, peer)

    def _advance_trail(
        self, tsi: pk.Tsi, peer: _Peer, trail: int, lead: int | None
    ) -> list[Data | Loss]:
        """The source no longer holds sqns before ``trail``: give up on the missing ones."""
        if not serial_after(trail, peer.next_sqn):
            return []
        s = peer.next_sqn
        given_up = False
        count = 0
        while s != trail and count < MAX_GAP:
            if s not in peer.early:
                peer.early[s] = None
                peer.missing.pop(s, None)
                given_up = True
            s = (s + 1) % _MOD
            count += 1
        if not given_up:
            return []
        return self._drain(tsi, peer)

    def _note_lead(self, peer: _Peer, lead: int, now: float) -> None:
        """An SPM's leading edge reveals data lost at the tail of a burst (§6.2)."""
        end = (lead + 1) % _MOD
        if not serial_after(end, peer.next_sqn) or (end - peer.next_sqn) % _MOD > MAX_GAP:
            return
        s = peer.next_sqn
        while s != end:
            if s not in peer.early and s not in peer.missing:
                peer.missing[s] = _Missing(BACK_OFF, now + self._backoff())
            s = (s + 1) % _MOD

    def _drain(self, tsi: pk.Tsi, peer: _Peer, force: bool = False) -> list[Data | Loss]:
        out: list[Data | Loss] = []
        early = peer.early
        lost = 0
        while peer.next_sqn in early:
            item = early.pop(peer.next_sqn)
            peer.next_sqn = (peer.next_sqn + 1) % _MOD
            if item is None:
                lost += 1
                continue
            if lost:
                out.append(Loss(tsi, lost))
                self.lost += lost
                lost = 0
            out.append(Data(tsi, item))
        if lost:
            out.append(Loss(tsi, lost))
            self.lost += lost
        return out

    def _backoff(self) -> float:
        return self._random.uniform(0.0, self.nak_bo_ivl)

    # -- timers -------------------------------------------------------------------------------

    def deadline(self) -> float | None:
        """When ``on_timer`` next has work (None: nothing pending)."""
        best: float | None = None
        for peer in self._peers.values():
            for entry in peer.missing.values():
                if best is None or entry.deadline < best:
                    best = entry.deadline
        return best

    def on_timer(self, now: float) -> tuple[list[Outgoing], list[Data | Loss]]:
        """NAKs (or SPMRs) to send, and deliveries unblocked by giving up on sqns."""
        sends: list[Outgoing] = []
        events: list[Data | Loss] = []
        for tsi, peer in self._peers.items():
            nak: list[int] = []
            gave_up = False
            for sqn, entry in list(peer.missing.items()):
                if entry.deadline > now:
                    continue
                if entry.state == BACK_OFF:
                    if peer.nla is None:
                        entry.deadline = now + self.nak_rpt_ivl
                        entry.ncf_retries += 1
                        if entry.ncf_retries > self.ncf_retries:
                            gave_up = self._give_up(peer, sqn) or gave_up
                        continue
                    nak.append(sqn)
                    entry.state = WAIT_NCF
                    entry.deadline = now + self.nak_rpt_ivl
                    continue
                if entry.state == WAIT_NCF:
                    entry.ncf_retries += 1
                    exhausted = entry.ncf_retries > self.ncf_retries
                else:
                    entry.data_retries += 1
                    exhausted = entry.data_retries > self.data_retries
                if exhausted:
                    gave_up = self._give_up(peer, sqn) or gave_up
                else:
                    entry.state = BACK_OFF
                    entry.deadline = now + self._backoff()
            if peer.nla is None and peer.missing:
                spmr = pk.encode_spmr(tsi, self.dport)
                sends.append(Outgoing(None, spmr))
                if peer.unicast is not None:
                    sends.append(Outgoing(peer.unicast, spmr))
            elif nak:
                nak.sort(key=lambda s: (s - peer.next_sqn) % _MOD)
                for i in range(0, len(nak), 63):
                    chunk = nak[i : i + 63]
                    data = pk.encode_nak(tsi, self.dport, chunk, peer.nla or b"", self.group)
                    sends.append(Outgoing(peer.nla, data))
                    self.naks_sent += 1
            if gave_up:
                events += self._drain(tsi, peer)
        return sends, events

    @staticmethod
    def _give_up(peer: _Peer, sqn: int) -> bool:
        del peer.missing[sqn]
        peer.early[sqn] = None
        return True


__all__ = ["Data", "Loss", "Outgoing", "Receiver", "serial_after"]
