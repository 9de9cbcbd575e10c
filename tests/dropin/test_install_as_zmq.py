"""purezmq.install_as_zmq(): ``import zmq`` resolves to purezmq (checked in a fresh interpreter,
so that the pyzmq the test suite imports is not there already) even though pyzmq is installed."""

from __future__ import annotations

import textwrap

import pytest

from ._python import run_python

pytest.importorskip("zmq")  # these tests prove purezmq wins over an installed pyzmq

PROGRAM = textwrap.dedent(
    """
    import purezmq
    purezmq.install_as_zmq()

    # ---- a small program written for pyzmq, unchanged ----
    import threading

    import zmq
    import zmq.asyncio
    import zmq.auth
    import zmq.constants
    import zmq.error
    from zmq.utils.monitor import recv_monitor_message

    assert zmq.Context is purezmq.Context, zmq.Context
    assert zmq.__version__ == purezmq.pyzmq_version() and purezmq.__version__ != zmq.__version__
    assert zmq.asyncio is purezmq.asyncio and zmq.asyncio.Context is purezmq.asyncio.Context
    assert zmq.auth is purezmq.auth and zmq.error is purezmq.error
    assert zmq.constants is purezmq.constants
    assert recv_monitor_message is purezmq.utils.monitor.recv_monitor_message
    assert zmq.proxy is purezmq.proxy
    assert zmq.ZMQError is purezmq.ZMQError and zmq.REQ == 3

    ctx = zmq.Context.instance()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    rep.setsockopt(zmq.RCVTIMEO, 5000)

    def serve():
        for _ in range(3):
            rep.send_string(rep.recv_string().upper())

    t = threading.Thread(target=serve)
    t.start()
    req = ctx.socket(zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    req.setsockopt(zmq.RCVTIMEO, 5000)
    for word in ("a", "bc", "def"):
        req.send_string(word)
        assert req.recv_string() == word.upper()
    t.join()
    try:
        rep.recv(zmq.NOBLOCK)
    except zmq.Again:
        pass
    req.close()
    rep.close()
    ctx.term()

    import sys
    assert "zmq.backend" not in sys.modules  # pyzmq itself was never loaded
    print("ok")
    """
)


def test_install_as_zmq_runs_a_pyzmq_program() -> None:
    assert run_python(PROGRAM).stdout.strip() == "ok"


def test_every_zmq_module_is_the_purezmq_module_object() -> None:
    out = run_python(
        """
        import importlib, sys, purezmq
        purezmq.install_as_zmq()
        purezmq.install_as_zmq()  # idempotent
        import zmq
        assert sys.meta_path.count(sys.meta_path[0]) == 1
        for name in ("constants", "error", "sugar", "sugar.socket", "backend", "devices",
                     "devices.basedevice", "log.handlers", "ssh.tunnel", "utils.monitor",
                     "utils.jsonapi", "auth.thread", "decorators", "asyncio"):
            alias = importlib.import_module("zmq." + name)
            target = importlib.import_module("purezmq." + name)
            assert alias is target, name
            assert sys.modules["zmq." + name] is target, name
            # The module keeps its own identity: spec and name are purezmq's.
            assert target.__spec__.name == "purezmq." + name, target.__spec__
            assert target.__name__ == "purezmq." + name
        # Attribute paths as after importing pyzmq.
        assert zmq.sugar.socket.Socket is zmq.Socket is zmq.backend.Socket
        assert zmq.utils.jsonapi.dumps([1]) == b"[1]"
        from zmq.devices import ThreadProxy
        from zmq.log.handlers import PUBHandler
        from zmq.utils.monitor import recv_monitor_message
        # The real pyzmq was never loaded.
        assert not [m for m in sys.modules if m.startswith("zmq.backend.cy")], sys.modules
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_pyzmq_internals_and_unknown_modules_fail_clearly() -> None:
    out = run_python(
        """
        import purezmq, sys
        purezmq.install_as_zmq()
        try:
            import zmq.backend.cython
        except ImportError as exc:
            assert "pure Python" in str(exc), exc
        else:
            raise AssertionError("zmq.backend.cython imported")
        try:
            import zmq.no_such_module
        except ModuleNotFoundError as exc:
            assert exc.name == "zmq.no_such_module", exc.name
            assert "purezmq" in str(exc)
        else:
            raise AssertionError("imported a module that does not exist")
        try:
            from zmq import no_such_name
        except ImportError:
            pass
        assert "zmq.backend.cython" not in sys.modules
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_versions_pyzmq_level_as_zmq_own_version_as_purezmq() -> None:
    out = run_python(
        """
        import purezmq
        own = purezmq.__version__
        purezmq.install_as_zmq()
        import zmq
        from zmq.sugar.version import __version__ as sugar_version
        assert zmq.__version__ == zmq.pyzmq_version() == purezmq.pyzmq_version() == sugar_version
        assert purezmq.__version__ == own  # unchanged by the install
        assert zmq.pyzmq_version_info() >= (2, 1, 9)  # salt's minimum, as an example
        assert tuple(map(int, zmq.__version__.split(".")[:2])) >= (27, 0)
        assert zmq.zmq_version_info() == (4, 3, 5) and zmq.zmq_version() == "4.3.5"
        assert zmq.__revision__ == ""
        print(zmq.__version__, own)
        """
    )
    pyzmq_level, own = out.stdout.split()
    assert pyzmq_level.startswith("27.") and own != pyzmq_level


def test_facade_forwards_writes_and_listing_to_purezmq() -> None:
    out = run_python(
        """
        from unittest import mock
        import purezmq
        purezmq.install_as_zmq()
        import zmq
        # A test double patched onto zmq is what purezmq's own code sees, and goes away.
        with mock.patch("zmq.Context") as fake:
            assert purezmq.Context is fake
        assert purezmq.Context is zmq.Context and not isinstance(zmq.Context, mock.Mock)
        zmq.MY_FLAG = 1
        assert purezmq.MY_FLAG == 1
        del zmq.MY_FLAG
        assert not hasattr(purezmq, "MY_FLAG")
        assert "Context" in dir(zmq) and "REQ" in zmq.__all__
        namespace = {}
        exec("from zmq import *", namespace)
        assert namespace["Socket"] is purezmq.Socket and namespace["PUB"] == 1
        assert zmq.__name__ == "zmq" and zmq.__file__ == purezmq.__file__
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_pyzmq_imported_first_is_replaced_for_later_imports() -> None:
    out = run_python(
        """
        import sys, warnings
        import zmq as early                  # the real pyzmq
        import zmq.devices
        real_context = early.Context
        import purezmq
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            purezmq.install_as_zmq()
        assert [w.category for w in caught] == [RuntimeWarning], caught
        assert "imported before" in str(caught[0].message)
        import zmq
        import zmq.devices as devices
        assert zmq is not early and zmq.Context is purezmq.Context
        assert devices is purezmq.devices
        # The earlier reference still holds pyzmq, working on its own.
        assert early.Context is real_context and early.Context is not purezmq.Context
        assert not [m for m in sys.modules if m.startswith("zmq.") and
                    not getattr(sys.modules[m], "__name__", "").startswith("purezmq")]
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_uninstall_restores_plain_imports() -> None:
    out = run_python(
        """
        import sys, purezmq
        from purezmq.compat import uninstall_as_zmq
        purezmq.install_as_zmq()
        import zmq, zmq.devices
        uninstall_as_zmq()
        assert not [m for m in sys.modules if m == "zmq" or m.startswith("zmq.")]
        import zmq  # the real pyzmq again
        assert zmq.Context is not purezmq.Context and zmq.__name__ == "zmq"
        assert "zmq.backend.cython" in sys.modules
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_importing_a_submodule_keeps_the_name_its_package_rebound() -> None:
    # pyzmq's zmq.green binds ``device`` to the function of its submodule zmq.green.device;
    # importing that submodule under its zmq name must not replace the function.
    run_python(
        """
        import purezmq
        purezmq.install_as_zmq()
        import zmq.green.device
        import zmq.green
        assert callable(zmq.green.device) and not isinstance(zmq.green.device, type(zmq))
        assert zmq.green.device is purezmq.green.device
        """
    )
