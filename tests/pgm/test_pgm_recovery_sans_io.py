"""The PGM source and receiver state machines over a simulated network that drops, delays and
reorders packets (both directions), on a simulated clock: deterministic for a given seed.

What must hold (RFC 3208 §6): every message whose data stays in the source's window arrives
exactly once and in order; data that left the window is reported lost and delivery goes on."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

import pytest

from purezmq.pgm import packet as pk
from purezmq.pgm.framing import ApduDecoder, ApduEncoder
from purezmq.pgm.receiver import Data, Loss, Receiver, serial_after
from purezmq.pgm.source import Source, trail_margin, window_sqns

GSI = b"\x0a\x0b\x0c\x0d\x0e\x0f"
NLA = pk.ipv4("10.0.0.1")
GROUP = pk.ipv4("239.192.1.1")
PORT = 5555
#: Data starts after the source's first SPMs have reached the receiver (libzmq sends them when
#: the socket connects); a receiver that sees sqn 1 before sqn 0 would start at 1.
START = 0.05


@dataclass
class Net:
    rng: random.Random
    loss: float
    #: ODATA/RDATA sqns that never get through (to force loss beyond the window).
    black_hole: set[int] = field(default_factory=set)
    queue: list[tuple[float, int, str, bytes]] = field(default_factory=list)
    seq: int = 0
    dropped: int = 0

    def send(self, now: float, to: str, data: bytes) -> None:
        if data[4] in (pk.ODATA, pk.RDATA) and pk.decode(data).sqn in self.black_hole:
            return
        if self.rng.random() < self.loss:
            self.dropped += 1
            return
        self.seq += 1
        # Random delays reorder packets sent close together.
        heapq.heappush(self.queue, (now + self.rng.uniform(0.0005, 0.02), self.seq, to, data))


@dataclass
class Outcome:
    messages: list[list[bytes]]
    losses: int
    dropped: int
    finished_at: float


def simulate(
    count: int,
    loss: float,
    seed: int,
    *,
    window: int = 100_000,
    black_hole: frozenset[int] = frozenset(),
    first_sqn_spm: bool = True,
) -> Outcome:
    rng = random.Random(seed)
    net = Net(rng, loss, set(black_hole))
    src = Source(GSI, 0x1234, PORT, NLA, GROUP, window_sqns=window, rate=0, now=0.0)
    rcv = Receiver(PORT, GROUP, rng=random.Random(seed + 1))
    enc = ApduEncoder(200)
    dec = ApduDecoder()
    got: list[list[bytes]] = []
    losses = 0
    now = 0.0
    if first_sqn_spm:
        for spm in src.start(now):
            net.send(now, "rcv", spm)
    sent = 0

    def deliver(events: list[Data | Loss]) -> None:
        nonlocal losses
        for ev in events:
            if isinstance(ev, Loss):
                losses += ev.count
                dec.reset()
            else:
                got.extend(dec.feed(ev.apdu))

    while now < 120.0:
        candidates = [src.deadline()]
        if sent < count:
            candidates.append(START + sent * 0.001)
        if net.queue:
            candidates.append(net.queue[0][0])
        deadline = rcv.deadline()
        if deadline is not None:
            candidates.append(deadline)
        if sent >= count and not net.queue and deadline is None and now > START + count * 1e-3 + 1:
            break  # (a second of SPM heartbeats after the last data reveals a lost tail)
        now = max(now, min(candidates))
        if sent < count and START + sent * 0.001 <= now:
            for apdu in enc.encode([[b"m%d" % sent, bytes(sent % 300)]]):
                net.send(now, "rcv", src.send(apdu, now))
            sent += 1
        while net.queue and net.queue[0][0] <= now:
            _, _, to, data = heapq.heappop(net.queue)
            packet = pk.decode(data)
            if to == "rcv":
                deliver(rcv.on_packet(packet, now, NLA))
            else:
                for out in src.on_packet(packet, now):
                    net.send(now, "rcv", out)
                while (repair := src.next_repair(now)) is not None:
                    net.send(now, "rcv", repair)
        for spm in src.on_timer(now):
            net.send(now, "rcv", spm)
        sends, events = rcv.on_timer(now)
        for item in sends:
            net.send(now, "src" if item.nla is not None else "rcv", item.data)
        deliver(events)
    return Outcome(got, losses, net.dropped, now)


def _expected(count: int) -> list[list[bytes]]:
    return [[b"m%d" % i, bytes(i % 300)] for i in range(count)]


@pytest.mark.parametrize("loss", [0.0, 0.01, 0.1, 0.3])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_message_arrives_once_in_order(loss: float, seed: int) -> None:
    out = simulate(2000, loss, seed)
    assert out.losses == 0
    assert out.messages == _expected(2000)
    if loss:
        assert out.dropped > 0


def test_data_that_left_the_window_is_reported_not_waited_for() -> None:
    out = simulate(300, 0.0, 7, window=64, black_hole=frozenset({40}))
    assert out.losses == 1
    # Message 40 was alone in sqn 40: everything else arrives, in order.
    assert out.messages == [m for i, m in enumerate(_expected(300)) if i != 40]
    assert out.finished_at < 10.0


def test_loss_beyond_the_window_under_random_loss_still_moves_on() -> None:
    out = simulate(1000, 0.1, 11, window=64, black_hole=frozenset({100, 101, 500}))
    assert out.losses >= 3
    expected = _expected(1000)
    # Whatever arrives is a subsequence of what was sent, without duplicates.
    it = iter(expected)
    assert all(m in it for m in out.messages)
    assert len(out.messages) >= 1000 - 3 - out.losses


def test_tail_loss_is_found_from_the_spm_lead() -> None:
    # The last ODATA is always lost; only the heartbeat SPMs reveal it, then the repair... is
    # lost too, so the trail never passes it: the receiver gives up after its NAK retries.
    out = simulate(20, 0.0, 5, black_hole=frozenset({19}))
    assert out.messages == _expected(19)
    assert out.losses == 1


def test_a_receiver_joining_late_starts_at_a_message_boundary() -> None:
    # No SPM first: the receiver starts at the first data it sees, which reordering may make
    # a later one; from there on it misses nothing.
    out = simulate(50, 0.05, 3, first_sqn_spm=False)
    expected = _expected(50)
    assert out.messages and out.messages == expected[expected.index(out.messages[0]) :]


@pytest.mark.parametrize(
    ("a", "b", "after"),
    [(1, 0, True), (0, 1, False), (0, 0xFFFFFFFF, True), (0xFFFFFFFF, 0, False), (5, 5, False)],
)
def test_sequence_numbers_compare_across_the_wrap(a: int, b: int, after: bool) -> None:
    assert serial_after(a, b) is after


def test_source_repairs_only_what_its_window_holds() -> None:
    src = Source(GSI, 0x1234, PORT, NLA, GROUP, window_sqns=4, rate=0, now=0.0)
    for i in range(10):
        src.send(b"\x00\x00" + bytes([i]), 0.0)
    # One packet fewer than the window is kept: 7, 8, 9.
    assert (src.trail, src.lead) == (7, 9)
    tsi = pk.Tsi(GSI, 0x1234)
    nak = pk.decode(pk.encode_nak(tsi, PORT, [2, 6, 7, 9], NLA, GROUP))
    out = [pk.decode(p) for p in src.on_packet(nak, 0.0)]
    assert len(out) == 1 and out[0].type == pk.NCF and out[0].sqns == [7, 9]
    assert src.repair_delay(0.0) == 0.0
    repairs = [pk.decode(p) for p in iter(lambda: src.next_repair(0.0), None)]
    assert src.repair_delay(0.0) is None
    assert [(p.type, p.sqn, p.payload) for p in repairs] == [
        (pk.RDATA, 7, b"\x00\x00\x07"),
        (pk.RDATA, 9, b"\x00\x00\x09"),
    ]


@pytest.mark.parametrize(("window", "margin"), [(1, 1), (2, 1), (16, 1), (83, 5)])
def test_source_trail_passes_an_sqn_while_a_same_sized_receive_window_has_room(
    window: int, margin: int
) -> None:
    """OpenPGM's receiver (libzmq: PGM_RXW_SQNS = the source's PGM_TXW_SQNS) must learn from the
    trail that an sqn left the source's window while its own window still has room for the
    packet carrying that trail, and for ``margin - 1`` more should those be lost."""
    assert trail_margin(window) == margin
    src = Source(GSI, 0x1234, PORT, NLA, GROUP, window_sqns=window, rate=0, now=0.0)
    for sqn in range(3 * window + 2):
        odata = pk.decode(src.send(b"\x00\x00", 0.0))
        assert odata.sqn == sqn
        # A receiver holding every sqn from the trail up to this one, this one included.
        held = sqn - odata.trail + 1
        assert held <= max(1, window - margin)
        spm = pk.decode(src.on_packet(pk.decode(pk.encode_spmr(pk.Tsi(GSI, 0x1234), PORT)), 0)[0])
        assert (spm.trail, spm.lead) == (odata.trail, sqn)


@pytest.mark.parametrize(
    ("recovery_ivl", "rate", "tpdu", "sqns"),
    [(1000, 1000, 1500, 83), (10_000, 100, 1500, 80), (100, 100, 1500, 1), (1500, 1000, 1500, 125)],
)
def test_window_is_sized_as_libzmq_sizes_openpgms(
    recovery_ivl: int, rate: int, tpdu: int, sqns: int
) -> None:
    # libzmq 4.3.4 pgm_socket_t::compute_sqns: (RATE / 8) × RECOVERY_IVL / MAXTPDU, at least 1.
    assert window_sqns(recovery_ivl, rate, tpdu) == sqns


def test_rate_limit_paces_the_source() -> None:
    src = Source(GSI, 0x1234, PORT, NLA, GROUP, window_sqns=4, rate=100_000, now=0.0)
    src.start(0.0)
    now = 0.0
    sent = 0
    while now < 1.0:
        delay = src.send_delay(1000, now)
        if delay:
            now += delay
            continue
        src.send(b"\x00" * 1000, now)
        sent += 1
    # 100 kB/s of ~1050-byte packets: about 95 per second (plus the initial burst allowance).
    assert 90 <= sent <= 95 + 65536 // 1000 + 1


def test_receiver_without_an_spm_asks_for_one() -> None:
    rcv = Receiver(PORT, GROUP, rng=random.Random(0))
    data = [pk.decode(pk.encode_data(0x1234, PORT, GSI, s, 0, b"\x00\x00")) for s in (0, 2)]
    rcv.on_packet(data[0], 0.0, NLA)
    rcv.on_packet(data[1], 0.0, NLA)
    deadline = rcv.deadline()
    assert deadline is not None
    sends, _ = rcv.on_timer(deadline)
    kinds = {(pk.decode(s.data).type, s.nla) for s in sends}
    assert kinds == {(pk.SPMR, None), (pk.SPMR, NLA)}
    assert not serial_after(0, 1)
