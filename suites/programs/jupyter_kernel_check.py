"""Starts an ipykernel through jupyter_client and exercises its five channels, with the
blocking client and then the asyncio client. Prints ``PASS step`` / ``FAIL step: why``."""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager

TIMEOUT = 30
CODE = "print('out', 6 * 7)\n6 * 7"
results: list[bool] = []


def report(step: str, error: BaseException | None) -> None:
    results.append(error is None)
    if error is None:
        print(f"PASS {step}", flush=True)
    else:
        print(f"FAIL {step}: {error!r}", flush=True)
        traceback.print_exception(error, limit=-6, file=sys.stdout)


def run_step(step: str, body: Callable[[], Any]) -> bool:
    try:
        body()
    except Exception as error:  # a failed step is reported; the next ones still run
        report(step, error)
        return False
    report(step, None)
    return True


async def run_async_step(step: str, body: Callable[[], Awaitable[Any]]) -> bool:
    try:
        await asyncio.wait_for(body(), TIMEOUT * 2)
    except Exception as error:
        report(step, error)
        return False
    report(step, None)
    return True


#: The steps after wait_for_ready, for each client: failed at once when the kernel is not
#: ready (each would only wait out its timeout).
LATER_STEPS = (
    "shell execute_reply + iopub stream/execute_result",
    "stdin input_request/input_reply",
    "control kernel_info_reply",
    "heartbeat is beating",
)


def skip_all(client: str) -> None:
    why = "the kernel did not start"
    report(f"{client}: wait_for_ready (shell kernel_info)", RuntimeError(f"not run: {why}"))
    skip_rest(client, why)
    report(f"{client}: shutdown over control", RuntimeError(f"not run: {why}"))


def skip_rest(client: str, why: str) -> None:
    for step in LATER_STEPS:
        report(f"{client}: {step}", RuntimeError(f"not run: {why}"))


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def iopub_until_idle(get: Callable[..., dict[str, Any]], parent: str) -> list[dict[str, Any]]:
    messages = []
    while True:
        msg = get(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != parent:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


def check_execute_iopub(messages: list[dict[str, Any]]) -> None:
    kinds = [m["msg_type"] for m in messages]
    streams = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    results_ = [
        m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result"
    ]
    expect(streams == "out 42\n", f"stream output {streams!r} (messages {kinds})")
    expect(results_ == ["42"], f"execute_result {results_!r} (messages {kinds})")


def blocking() -> None:
    km = KernelManager(kernel_name="python3")
    if not run_step("blocking: start kernel", lambda: km.start_kernel()) or not km.has_kernel:
        skip_all("blocking")
        return
    kc = km.client()
    try:
        kc.start_channels()
        if not run_step(
            "blocking: wait_for_ready (shell kernel_info)", lambda: kc.wait_for_ready(timeout=60)
        ):
            skip_rest("blocking", "the kernel never answered kernel_info")
            return

        def shell_and_iopub() -> None:
            msg_id = kc.execute(CODE)
            reply = kc.get_shell_msg(timeout=TIMEOUT)
            expect(reply["parent_header"]["msg_id"] == msg_id, "reply to another request")
            expect(reply["content"]["status"] == "ok", f"execute_reply {reply['content']}")
            check_execute_iopub(iopub_until_idle(kc.get_iopub_msg, msg_id))

        run_step("blocking: shell execute_reply + iopub stream/execute_result", shell_and_iopub)

        def stdin() -> None:
            msg_id = kc.execute("answer = input('name? ')\nanswer.upper()", allow_stdin=True)
            request = kc.get_stdin_msg(timeout=TIMEOUT)
            expect(request["msg_type"] == "input_request", f"stdin got {request['msg_type']}")
            expect(request["content"]["prompt"] == "name? ", f"prompt {request['content']}")
            kc.input("purezmq")
            reply = kc.get_shell_msg(timeout=TIMEOUT)
            expect(reply["content"]["status"] == "ok", f"execute_reply {reply['content']}")
            out = [
                m["content"]["data"]["text/plain"]
                for m in iopub_until_idle(kc.get_iopub_msg, msg_id)
                if m["msg_type"] == "execute_result"
            ]
            expect(out == ["'PUREZMQ'"], f"execute_result {out}")

        run_step("blocking: stdin input_request/input_reply", stdin)

        def control() -> None:
            msg = kc.session.msg("kernel_info_request")
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=TIMEOUT)
            expect(reply["msg_type"] == "kernel_info_reply", f"control got {reply['msg_type']}")
            expect(reply["parent_header"]["msg_id"] == msg["header"]["msg_id"], "wrong parent")

        run_step("blocking: control kernel_info_reply", control)

        def heartbeat() -> None:
            expect(kc.hb_channel.is_alive(), "heartbeat thread not running")
            kc.hb_channel.unpause()
            expect(kc.is_alive(), "kernel client says the kernel is dead")
            expect(kc.hb_channel.is_beating(), "no heartbeat echo")

        run_step("blocking: heartbeat is beating", heartbeat)
    finally:
        kc.stop_channels()
        run_step("blocking: shutdown over control", lambda: km.shutdown_kernel(now=False))
        if km.has_kernel:
            km.shutdown_kernel(now=True)


async def asynchronous() -> None:
    km = AsyncKernelManager(kernel_name="python3")
    if not await run_async_step("asyncio: start kernel", km.start_kernel) or not km.has_kernel:
        skip_all("asyncio")
        return
    kc = km.client()
    try:
        kc.start_channels()
        if not await run_async_step(
            "asyncio: wait_for_ready (shell kernel_info)", lambda: kc.wait_for_ready(timeout=60)
        ):
            skip_rest("asyncio", "the kernel never answered kernel_info")
            return

        async def iopub_idle(parent: str) -> list[dict[str, Any]]:
            messages = []
            while True:
                msg = await kc.get_iopub_msg(timeout=TIMEOUT)
                if msg["parent_header"].get("msg_id") != parent:
                    continue
                messages.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return messages

        async def shell_and_iopub() -> None:
            msg_id = kc.execute(CODE)
            reply = await kc.get_shell_msg(timeout=TIMEOUT)
            expect(reply["parent_header"]["msg_id"] == msg_id, "reply to another request")
            expect(reply["content"]["status"] == "ok", f"execute_reply {reply['content']}")
            check_execute_iopub(await iopub_idle(msg_id))

        await run_async_step(
            "asyncio: shell execute_reply + iopub stream/execute_result", shell_and_iopub
        )

        async def stdin() -> None:
            msg_id = kc.execute("answer = input('name? ')\nanswer.upper()", allow_stdin=True)
            request = await kc.get_stdin_msg(timeout=TIMEOUT)
            expect(request["msg_type"] == "input_request", f"stdin got {request['msg_type']}")
            kc.input("purezmq")
            reply = await kc.get_shell_msg(timeout=TIMEOUT)
            expect(reply["content"]["status"] == "ok", f"execute_reply {reply['content']}")
            out = [
                m["content"]["data"]["text/plain"]
                for m in await iopub_idle(msg_id)
                if m["msg_type"] == "execute_result"
            ]
            expect(out == ["'PUREZMQ'"], f"execute_result {out}")

        await run_async_step("asyncio: stdin input_request/input_reply", stdin)

        async def control() -> None:
            msg = kc.session.msg("kernel_info_request")
            kc.control_channel.send(msg)
            reply = await kc.get_control_msg(timeout=TIMEOUT)
            expect(reply["msg_type"] == "kernel_info_reply", f"control got {reply['msg_type']}")

        await run_async_step("asyncio: control kernel_info_reply", control)

        async def heartbeat() -> None:
            kc.hb_channel.unpause()
            expect(await kc.is_alive(), "kernel client says the kernel is dead")
            expect(kc.hb_channel.is_beating(), "no heartbeat echo")

        await run_async_step("asyncio: heartbeat is beating", heartbeat)
    finally:
        kc.stop_channels()
        await run_async_step(
            "asyncio: shutdown over control", lambda: km.shutdown_kernel(now=False)
        )
        if km.has_kernel:
            await km.shutdown_kernel(now=True)


blocking()
asyncio.run(asynchronous())
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
