"""purezmq.decorators: @context() and @socket(type) hand a function objects closed after it."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq
from purezmq.decorators import context, socket


def test_context_and_sockets_are_passed_and_closed() -> None:
    seen: dict[str, Any] = {}

    @context()
    @socket(purezmq.PUSH)
    @socket(purezmq.PULL)
    def work(ctx: purezmq.Context, push: Any, pull: Any) -> bytes:
        seen.update(ctx=ctx, push=push, pull=pull)
        # The sockets come from the decorated Context, found among the positional arguments.
        assert push.context is ctx and pull.context is ctx
        pull.bind("inproc://decorated")
        push.connect("inproc://decorated")
        push.send(b"through decorators")
        pull.rcvtimeo = 5000
        return bytes(pull.recv())

    assert work() == b"through decorators"
    assert seen["push"].closed and seen["pull"].closed
    assert seen["push"].type == purezmq.PUSH and seen["pull"].type == purezmq.PULL
    assert seen["ctx"].closed


def test_names_make_keyword_arguments() -> None:
    # A Context passed by keyword is found under ``context_name`` ("context" by default).
    @context("ctx")
    @socket("sock", purezmq.PUB, context_name="ctx")
    @socket(purezmq.SUB, name="other", context_name="ctx")
    def work(ctx: purezmq.Context, sock: Any, other: Any, *, extra: int) -> tuple[int, int, int]:
        assert sock.context is ctx and other.context is ctx
        return sock.type, other.type, extra

    assert work(extra=3) == (purezmq.PUB, purezmq.SUB, 3)
    with pytest.raises(TypeError, match="multiple values for argument 'ctx'"):
        work(ctx=None, extra=1)


def test_socket_finds_the_context_by_keyword_or_uses_the_instance() -> None:
    mine = purezmq.Context()
    try:

        @socket(purezmq.REQ, context_name="c")
        def by_keyword(s: Any, *, c: purezmq.Context) -> Any:
            return s.context

        assert by_keyword(c=mine) is mine

        @socket(purezmq.REQ)
        def default(s: Any) -> Any:
            return s.context

        assert default() is purezmq.Context.instance()
    finally:
        mine.term()


def test_wrapper_keeps_the_function_identity() -> None:
    @context()
    def documented(ctx: purezmq.Context) -> None:
        """Docs."""

    assert documented.__name__ == "documented" and documented.__doc__ == "Docs."
