"""When the PGM source sends SPMs (RFC 3208 §3.5, §6.1), on a clock the test drives: the
schedule libzmq 4.3.4 configures OpenPGM's sources with, as OpenPGM 5.3.128 runs it.

* ambient SPMs every 30 s whether or not data flows (a receiver that joins a busy stream learns
  the source's NLA, without which it cannot NAK);
* heartbeat SPMs 0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8 and 24.8 s after the last ODATA (so a
  receiver that lost the end of a burst learns the lead and NAKs it), starting over with each
  data packet; after RDATA one step shorter."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from purezmq.pgm import packet as pk
from purezmq.pgm.source import Source

GSI = b"\x0a\x0b\x0c\x0d\x0e\x0f"
NLA = pk.ipv4("10.0.0.1")
GROUP = pk.ipv4("239.192.1.1")
PORT = 5555
T0 = 1000.0  # a monotonic clock is far from 0 when the socket opens
AFTER_ODATA = [0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8, 24.8]
AFTER_RDATA = [0.1, 0.2, 0.3, 0.4, 1.7, 8.7, 24.7]


def _source() -> Source:
    src = Source(GSI, 0x1234, PORT, NLA, GROUP, window_sqns=100_000, rate=0, now=0.0)
    assert len(src.start(T0)) == 3
    return src


def _run(src: Source, until: float, data_at: Sequence[float] = ()) -> list[tuple[float, pk.Packet]]:
    """Drive the source's timer (and send one ODATA at each of ``data_at``) up to ``until``;
    the SPMs it sent, with when."""
    pending = sorted(data_at)
    spms: list[tuple[float, pk.Packet]] = []
    now = T0
    while True:
        now = min([src.deadline(), *pending[:1]])
        if now > until:
            return spms
        while pending and pending[0] <= now:
            src.send(b"\x00\x00", pending.pop(0))
        for spm in src.on_timer(now):
            spms.append((now - T0, pk.decode(spm)))


def _times(spms: list[tuple[float, pk.Packet]]) -> list[float]:
    return [round(t, 3) for t, _ in spms]


def test_an_idle_source_sends_an_ambient_spm_every_30_seconds() -> None:
    spms = _run(_source(), T0 + 100)
    assert _times(spms) == [30.0, 60.0, 90.0]
    assert [p.type for _, p in spms] == [pk.SPM] * 3
    # The three start SPMs took 0, 1, 2.
    assert [p.sqn for _, p in spms] == [3, 4, 5]


def test_ambient_spms_keep_their_rate_while_data_streams() -> None:
    # An ODATA every 50 ms for 100 s: no gap lets a heartbeat out (the first is 0.1 s after
    # the last data), but the ambient SPMs are not pushed back by the data.
    data = [T0 + 0.05 * i for i in range(1, 2001)]
    spms = _run(_source(), T0 + 100, data)
    assert _times(spms) == [30.0, 60.0, 90.0]
    # Each carries the window as it stands: the lead is the last ODATA sent.
    for t, spm in spms:
        assert spm.lead == round(t / 0.05) - 1 and spm.trail == 0


def test_heartbeats_follow_the_last_data_then_only_ambient_spms() -> None:
    stop = T0 + 3.0
    data = [T0 + 0.01 * i for i in range(1, 301)]
    spms = _run(_source(), T0 + 100, data)
    expected = sorted({*(round(3.0 + t, 3) for t in AFTER_ODATA), 30.0, 60.0, 90.0})
    assert _times(spms) == expected
    assert all(spm.lead == 299 for t, spm in spms if t + T0 > stop)


def test_new_data_starts_the_heartbeats_over() -> None:
    # A second packet 0.35 s after the first: heartbeats at 0.1, 0.2, 0.3, then from 0.35 on.
    spms = _run(_source(), T0 + 29, [T0, T0 + 0.35])
    expected = [0.1, 0.2, 0.3, *(round(0.35 + t, 3) for t in AFTER_ODATA)]
    assert _times(spms) == expected


def test_a_repair_starts_the_heartbeats_over_one_step_shorter() -> None:
    src = _source()
    spms = _run(src, T0 + 5, [T0])
    assert _times(spms) == [t for t in AFTER_ODATA if t < 5]
    nak = pk.decode(pk.encode_nak(pk.Tsi(GSI, 0x1234), PORT, [0], NLA, GROUP))
    assert [pk.decode(p).type for p in src.on_packet(nak, T0 + 5)] == [pk.NCF]
    repair = src.next_repair(T0 + 5)
    assert repair is not None and pk.decode(repair).type == pk.RDATA
    spms = _run(src, T0 + 29.9)
    assert _times(spms) == [round(5 + t, 3) for t in AFTER_RDATA]


def test_one_spm_when_an_ambient_and_a_heartbeat_fall_due_together() -> None:
    src = _source()
    src.send(b"\x00\x00", T0 + 29.8)
    # At 30.05 s the ambient SPM (30 s) and the heartbeats of 29.9 and 30.0 s are all due.
    assert len(src.on_timer(T0 + 30.05)) == 1
    # Both schedules go on: the heartbeat at 30.1 s, then the ambient SPM 30 s after it went.
    spms = _run(src, T0 + 61)
    assert _times(spms) == [30.1, 30.2, 30.3, 31.6, 38.6, 54.6, 60.05]


def test_a_late_timer_sends_one_spm_and_keeps_to_the_schedule() -> None:
    src = _source()
    src.send(b"\x00\x00", T0)
    # The loop runs the timer only 1 s after the data: the 0.1…0.5 s heartbeats are due.
    assert len(src.on_timer(T0 + 1.0)) == 1
    assert src.deadline() == pytest.approx(T0 + 1.8)
    assert src.on_timer(T0 + 1.5) == []


def test_an_spmr_is_answered_at_once_with_the_current_window() -> None:
    src = _source()
    for i in range(5):
        src.send(b"\x00\x00", T0 + i)
    spmr = pk.decode(pk.encode_spmr(pk.Tsi(GSI, 0x1234), PORT))
    (answer,) = src.on_packet(spmr, T0 + 5)
    spm = pk.decode(answer)
    assert spm.type == pk.SPM and (spm.trail, spm.lead) == (0, 4)
    # Answering does not move the ambient schedule.
    assert src.deadline() == pytest.approx(T0 + 4 + 0.1)
    assert _times(_run(src, T0 + 31))[-1] == 30.0
