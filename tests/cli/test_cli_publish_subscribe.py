"""PUB/SUB with --subscribe, RADIO/DISH with --join, XPUB's subscriptions, SCATTER/GATHER."""

from __future__ import annotations

from collections.abc import Callable

from .shell import Proc


def test_sub_prints_only_its_topics(spawn: Callable[..., Proc]) -> None:
    sub = spawn("sub", "-b", "tcp://127.0.0.1:*", "--subscribe", "tick", "-n", "3", "-t", "20")
    endpoint = sub.endpoint()
    # The publisher repeats until the subscriber has its three ticks (no slow-joiner guess).
    spawn("pub", "-c", endpoint, "--data", "tock", "--interval", "0.02")
    spawn("pub", "-c", endpoint, "--data", "tick 1", "--interval", "0.02")
    status, out = sub.finish()
    assert status == 0, sub.stderr()
    assert out == b"tick 1\n" * 3


def test_dish_receives_the_groups_it_joined(spawn: Callable[..., Proc]) -> None:
    dish = spawn("dish", "-b", "tcp://127.0.0.1:*", "--join", "weather", "-n", "2", "-t", "20")
    endpoint = dish.endpoint()
    spawn("radio", "-c", endpoint, "--group", "sports", "--data", "3-1", "--interval", "0.02")
    spawn("radio", "-c", endpoint, "--data", "weather\tsunny", "--interval", "0.02")
    status, out = dish.finish()
    assert status == 0, dish.stderr()
    assert out == b"weather\tsunny\n" * 2  # GROUP<TAB>BODY


def test_xpub_prints_subscriptions(spawn: Callable[..., Proc]) -> None:
    xpub = spawn("xpub", "-b", "tcp://127.0.0.1:*", "-n", "1", "-f", "hex", "-t", "20")
    spawn("sub", "-c", xpub.endpoint(), "--subscribe", "AB", "-t", "20")
    assert xpub.finish() == (0, b"014142\n")


def test_scatter_to_gather(spawn: Callable[..., Proc]) -> None:
    gather = spawn("gather", "-b", "tcp://127.0.0.1:*", "-n", "5", "-t", "20")
    spawn("scatter", "-c", gather.endpoint(), "--data", "job", "--count", "5", "-t", "20")
    assert gather.finish() == (0, b"job\n" * 5)
