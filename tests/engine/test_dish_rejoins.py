"""A DISH sends its groups again to a RADIO that comes back (libzmq ``dish_t::xhiccuped``): the
connect side keeps its pipe across the reconnect, and the new connection gets every join."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq


def _until_delivered(radio: Any, dish: Any, group: str) -> None:
    """Send on ``group`` until the DISH gets one (joins travel asynchronously)."""
    for _ in range(500):
        radio.send(b"probe", group=group)
        if dish.poll(10):
            break
    else:
        pytest.fail(f"the DISH's JOIN for {group!r} never reached the RADIO")
    while dish.poll(0):
        frame = dish.recv(copy=False)
        assert frame.group == group


def test_dish_rejoins_after_the_radio_restarts() -> None:
    ctx = purezmq.Context()
    try:
        radio = ctx.socket(purezmq.RADIO)
        radio.linger = 0
        port = radio.bind_to_random_port("tcp://127.0.0.1")
        dish = ctx.socket(purezmq.DISH)
        dish.reconnect_ivl = 20
        dish.rcvtimeo = 5000
        dish.connect(f"tcp://127.0.0.1:{port}")
        dish.join("weather")
        dish.join("news")
        dish.leave("news")
        _until_delivered(radio, dish, "weather")
        radio.close()

        radio = ctx.socket(purezmq.RADIO)
        radio.linger = 0
        radio.bind(f"tcp://127.0.0.1:{port}")
        _until_delivered(radio, dish, "weather")
        radio.send(b"headline", group="news")  # left before the restart: not resent
        radio.send(b"sunny", group="weather")
        frame = dish.recv(copy=False)
        assert (frame.group, frame.bytes) == ("weather", b"sunny")
        assert radio._core.pattern.groups() == {b"weather": 1}
    finally:
        ctx.destroy(0)
