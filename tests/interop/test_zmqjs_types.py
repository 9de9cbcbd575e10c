"""zmq.d.ts types what docs/browser.md shows and rejects what it must: ``browser/typed_usage.ts``
compiled by ``tsc --noEmit --strict`` against it (its ``@ts-expect-error`` lines must fail)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from purezmq.browser import typings_path

from ..kit.browser import HERE, TSC, TSC_MISSING


@pytest.mark.skipif(bool(TSC_MISSING), reason=str(TSC_MISSING))
def test_typed_usage_compiles_against_zmq_d_ts(tmp_path):
    shutil.copy(typings_path(), tmp_path / "zmq.d.ts")
    shutil.copy(HERE / "typed_usage.ts", tmp_path / "typed_usage.ts")
    flags = ["--noEmit", "--strict", "--target", "es2022", "--module", "es2022"]
    flags += ["--moduleResolution", "bundler", "--lib", "es2022,dom"]
    done = subprocess.run(
        [str(TSC), *flags, "typed_usage.ts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(bool(TSC_MISSING), reason=str(TSC_MISSING))
def test_a_type_error_is_reported(tmp_path):
    """The check can fail: a wrong call is an error."""
    shutil.copy(typings_path(), tmp_path / "zmq.d.ts")
    (tmp_path / "wrong.ts").write_text(
        'import { Socket } from "./zmq.js";\nnew Socket("REQ").subscribe(42);\n'
    )
    done = subprocess.run(
        [
            str(TSC),
            "--noEmit",
            "--strict",
            "--moduleResolution",
            "bundler",
            "--module",
            "es2022",
            "wrong.ts",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode != 0 and "wrong.ts" in done.stdout
