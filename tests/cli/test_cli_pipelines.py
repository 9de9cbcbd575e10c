"""Shell pipelines through real ``purezmq`` processes: lines in, lines out, every format."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from .shell import Proc, run, shell


def test_seq_100_through_push_and_pull_counts_100_lines(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "--bind", "tcp://127.0.0.1:*", "--count", "100", "--timeout", "20")
    endpoint = pull.endpoint()
    push = shell(f"seq 100 | $PUREZMQ push --connect {endpoint} --timeout 20")
    assert push.returncode == 0, push.stderr
    status, out = pull.finish()
    assert status == 0, pull.stderr()
    assert out.decode().split() == [str(i) for i in range(1, 101)]


def test_pull_in_a_pipeline_to_wc(spawn: Callable[..., Proc]) -> None:
    # The receiving end in a shell pipeline; the sender connects first and ZeroMQ waits.
    push = spawn("push", "--bind", "tcp://127.0.0.1:*", "--data", "x", "--count", "100")
    endpoint = push.endpoint()
    result = shell(f"$PUREZMQ pull --connect {endpoint} --count 100 --timeout 20 | wc -l")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == b"100"
    assert push.finish()[0] == 0


def test_json_arrays_are_multipart_messages_both_ways(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "3", "-f", "json", "-t", "20")
    endpoint = pull.endpoint()
    lines = ['["key", "value"]', '{"a": [1, 2]}', '["", "é", "x\\ty"]']
    push = run("push", "-c", endpoint, "-f", "json", input="\n".join(lines).encode())
    assert push.returncode == 0, push.stderr
    status, out = pull.finish()
    assert status == 0
    got = [json.loads(line) for line in out.decode().splitlines()]
    assert got == [["key", "value"], ['{"a":[1,2]}'], ["", "é", "x\ty"]]


def test_lines_split_frames_on_the_separator(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "1", "-f", "json", "-t", "20")
    run("push", "-c", pull.endpoint(), "--separator", "|", input=b"a|b|c\n")
    assert json.loads(pull.finish()[1]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("fmt", "line", "frames"),
    [
        ("hex", "00ff10\tcafe", [b"\x00\xff\x10", b"\xca\xfe"]),
        ("z85", "HelloWorld", [bytes.fromhex("864fd26fb559f75b")]),
    ],
)
def test_text_encodings_of_binary_frames_round_trip(
    spawn: Callable[..., Proc], fmt: str, line: str, frames: list[bytes]
) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "1", "-f", "json", "-t", "20",
                 "--output-format", "hex")
    push = run("push", "-c", pull.endpoint(), "-f", fmt, input=line.encode() + b"\n")
    assert push.returncode == 0, push.stderr
    status, out = pull.finish()
    assert status == 0
    assert out.decode().strip().split("\t") == [f.hex() for f in frames]
    back = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "1", "-f", fmt, "-t", "20")
    run("push", "-c", back.endpoint(), "-f", fmt, input=line.encode() + b"\n")
    assert back.finish()[1].decode().strip() == line


def test_msgpack_streams_of_arrays(spawn: Callable[..., Proc]) -> None:
    msgpack = pytest.importorskip("msgpack")
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "2", "-f", "msgpack", "-t", "20")
    data = msgpack.packb([b"\x00bin", "text"]) + msgpack.packb(b"single")
    push = run("push", "-c", pull.endpoint(), "-f", "msgpack", input=data)
    assert push.returncode == 0, push.stderr
    status, out = pull.finish()
    assert status == 0
    assert list(msgpack.Unpacker(io.BytesIO(out))) == [
        [b"\x00bin", b"text"],
        [b"single"],
    ]


def test_raw_sends_all_of_stdin_as_one_frame(spawn: Callable[..., Proc]) -> None:
    blob = bytes(range(256)) * 40 + b"\n\n"
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "1", "-f", "raw", "-t", "20")
    assert run("push", "-c", pull.endpoint(), "-f", "raw", input=blob).returncode == 0
    assert pull.finish() == (0, blob)


def test_filter_and_transform_expressions(spawn: Callable[..., Proc]) -> None:
    pull = spawn(
        "pull", "-b", "tcp://127.0.0.1:*", "-n", "3", "-t", "20",
        "--filter", "int(text) % 2 == 0", "--transform", "[text, str(int(text) ** 2)]",
    )
    assert run("push", "-c", pull.endpoint(), input=b"1\n2\n3\n4\n5\n6\n").returncode == 0
    assert pull.finish() == (0, b"2\t4\n4\t16\n6\t36\n")


def test_transform_on_the_sending_side(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "2", "-t", "20")
    push = run(
        "push", "-c", pull.endpoint(), "--transform", "None if text == 'skip' else text[::-1]",
        input=b"abc\nskip\nxyz\n",
    )
    assert push.returncode == 0, push.stderr
    assert pull.finish() == (0, b"cba\nzyx\n")
