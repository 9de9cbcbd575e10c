"""The codecs behind ``--format`` and the terminal-only status line, in process."""

from __future__ import annotations

import io

import pytest

from purezmq.cli import formats
from purezmq.cli.errors import CliError
from purezmq.cli.expressions import Pipeline, as_message
from purezmq.cli.status import StatusLine


@pytest.mark.parametrize("fmt", ["lines", "json", "hex"])
def test_line_formats_round_trip_multipart(fmt: str) -> None:
    msg = [b"topic", b"", b"body with spaces"]
    line = formats.format_message(fmt, msg, b"\t")
    assert line.endswith(b"\n")
    assert formats.parse_line(fmt, line[:-1], b"\t") == msg


def test_json_keeps_non_utf8_frames_byte_for_byte() -> None:
    msg = [b"\xff\x00", "é".encode()]
    line = formats.format_message("json", msg, b"\t")
    assert formats.parse_line("json", line[:-1], b"\t") == msg


def test_z85_refuses_frames_it_cannot_encode() -> None:
    with pytest.raises(CliError, match="multiple of 4"):
        formats.format_message("z85", [b"abc"], b"\t")


def test_read_messages_skips_blank_lines_and_strips_crlf() -> None:
    stream = io.BytesIO(b"a\r\n\nb\tc\n")
    assert list(formats.read_messages("lines", stream, b"\t")) == [[b"a"], [b"b", b"c"]]


def test_data_is_read_in_the_input_format() -> None:
    assert formats.parse_data("json", '["a", "b"]', b"\t") == [b"a", b"b"]
    assert formats.parse_data("hex", "cafe", b"\t") == [b"\xca\xfe"]
    assert formats.parse_data("lines", "a\tb", b"\t") == [b"a", b"b"]
    assert formats.parse_data("raw", "a\tb", b"\t") == [b"a\tb"]


def test_separator_escapes() -> None:
    assert formats.separator_argument("\\t") == b"\t"
    assert formats.separator_argument("\\x00") == b"\x00"
    assert formats.separator_argument("") == b""


def test_transform_results_become_messages() -> None:
    assert as_message(None) is None
    assert as_message("x") == [b"x"]
    assert as_message([b"a", "b", 3]) == [b"a", b"b", b"3"]
    assert as_message({"k": 1}) == [b'{"k":1}']
    pipeline = Pipeline("n % 2", "[text.upper(), str(n)]")
    assert [pipeline([b"a"]), pipeline([b"b"]), pipeline([b"c"])] == [
        [b"A", b"1"],
        None,
        [b"C", b"3"],
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_line_is_drawn_on_a_terminal_and_erased() -> None:
    term = _Terminal()
    status = StatusLine("purezmq pull", stream=term)
    status.count_received()
    assert "\rpurezmq pull: sent 0  received 1" in term.getvalue().replace("\x1b[K", "")
    status.clear()
    assert term.getvalue().endswith("\r\x1b[K")


def test_status_line_is_silent_in_a_pipe_and_when_quiet() -> None:
    pipe = io.StringIO()
    status = StatusLine("purezmq pull", stream=pipe)
    for _ in range(100):
        status.count_received()
    status.clear()
    assert pipe.getvalue() == ""
    quiet = StatusLine("purezmq pull", stream=_Terminal(), quiet=True)
    quiet.count_sent()
    assert not quiet.drawn
