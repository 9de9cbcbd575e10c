"""purezmq.devices: background proxies that own their sockets, moving real messages."""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq import devices
from purezmq.testing import wait_subscribed

TIMEOUT_MS = 5000


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


def _sock(ctx: purezmq.Context, kind: int) -> Any:
    s = ctx.socket(kind)
    s.linger = 0
    s.rcvtimeo = TIMEOUT_MS
    s.sndtimeo = TIMEOUT_MS
    return s


def _on(dev: devices.Device, ctx: purezmq.Context) -> None:
    """Run ``dev`` on the test's Context: ``ctx.term()`` then ends it (ETERM)."""
    dev.context_factory = lambda: ctx


def _stop(dev: devices.Device, ctx: purezmq.Context) -> None:
    ctx.term()  # the device thread sees ETERM, closes its sockets, and term returns
    dev.join(TIMEOUT_MS / 1000)
    assert dev.done


def test_thread_device_queues_push_to_pull(ctx: purezmq.Context) -> None:
    dev = devices.ThreadDevice(purezmq.QUEUE, purezmq.PULL, purezmq.PUSH)
    _on(dev, ctx)
    dev.bind_in("inproc://dev-in")
    dev.bind_out("inproc://dev-out")
    dev.setsockopt_in(purezmq.RCVHWM, 10)
    dev.start()
    assert dev.daemon and dev.launcher.daemon
    push = _sock(ctx, purezmq.PUSH)
    push.connect("inproc://dev-in")  # inproc connect before bind is fine
    pull = _sock(ctx, purezmq.PULL)
    pull.connect("inproc://dev-out")
    for i in range(20):
        push.send_multipart([b"part", str(i).encode()])
    assert [pull.recv_multipart() for _ in range(20)] == [
        [b"part", str(i).encode()] for i in range(20)
    ]
    push.close()
    pull.close()
    assert not dev.done
    _stop(dev, ctx)


def test_thread_device_over_tcp_random_ports_and_connects(ctx: purezmq.Context) -> None:
    # The device binds its in-socket to a reserved port and connects its out-socket.
    pull = _sock(ctx, purezmq.PULL)
    out_port = pull.bind_to_random_port("tcp://127.0.0.1")
    dev = devices.ThreadDevice(purezmq.QUEUE, purezmq.PULL, purezmq.PUSH)
    _on(dev, ctx)
    in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
    assert in_port != dev.bind_out_to_random_port("tcp://127.0.0.1")  # never the same port
    dev.connect_out(f"tcp://127.0.0.1:{out_port}")
    dev.start()
    push = _sock(ctx, purezmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{in_port}")
    push.send(b"over tcp")
    assert pull.recv() == b"over tcp"
    push.close()
    pull.close()
    _stop(dev, ctx)


def test_plain_device_runs_in_the_calling_thread(ctx: purezmq.Context) -> None:
    dev = devices.Device(purezmq.QUEUE, purezmq.ROUTER, -1)  # one ROUTER, both sides
    _on(dev, ctx)
    dev.bind_in("inproc://reflector")
    runner = threading.Thread(target=dev.start, daemon=True)
    runner.start()
    peer = _sock(ctx, purezmq.DEALER)
    peer.connect("inproc://reflector")
    # A reflector ROUTER sends each message back out of itself: the first frame routes it.
    peer.send_multipart([b"", b"hello"])
    # ROUTER in: [peer id, b"", b"hello"]; ROUTER out routes by [peer id] back to peer.
    assert peer.recv_multipart() == [b"", b"hello"]
    peer.close()
    ctx.term()
    runner.join(TIMEOUT_MS / 1000)
    dev.join(0)
    assert dev.done and not runner.is_alive()


def test_a_single_socket_device_applies_the_out_sides_plan_to_it(ctx: purezmq.Context) -> None:
    # pyzmq's ThreadDevice(QUEUE, REP, -1): one REP serves both sides, and its connect comes
    # from connect_out. The proxy hands each request back to the REP as its reply: an echo.
    dev = devices.ThreadDevice(purezmq.QUEUE, purezmq.REP, -1)
    _on(dev, ctx)
    dev.setsockopt_in(purezmq.ROUTING_ID, b"echo")
    dev.connect_out("inproc://single-out")
    router = _sock(ctx, purezmq.ROUTER)
    router.router_mandatory = 1
    router.bind("inproc://single-out")
    dev.start()
    # Until the REP has connected, ROUTER_MANDATORY refuses the send (EHOSTUNREACH).
    poller = purezmq.Poller()
    poller.register(router, purezmq.POLLOUT)
    sent = False
    for _ in range(100):
        try:
            router.send_multipart([b"echo", b"", b"ping"])
            sent = True
            break
        except purezmq.ZMQError as exc:
            assert exc.errno == purezmq.EHOSTUNREACH
            poller.poll(50)
    assert sent, "the REP never connected: connect_out was dropped"
    assert router.recv_multipart() == [b"echo", b"", b"ping"]
    router.close()
    _stop(dev, ctx)


def test_thread_proxy_copies_every_message_to_its_monitor(ctx: purezmq.Context) -> None:
    dev = devices.ThreadProxy(purezmq.ROUTER, purezmq.DEALER, purezmq.PUSH)
    _on(dev, ctx)
    dev.bind_in("inproc://px-in")
    dev.bind_out("inproc://px-out")
    dev.bind_mon("inproc://px-mon")
    dev.start()
    mon = _sock(ctx, purezmq.PULL)
    mon.connect("inproc://px-mon")
    rep = _sock(ctx, purezmq.REP)
    rep.connect("inproc://px-out")
    req = _sock(ctx, purezmq.REQ)
    req.connect("inproc://px-in")
    req.send(b"ping")
    assert rep.recv() == b"ping"
    rep.send(b"pong")
    assert req.recv() == b"pong"
    seen = [mon.recv_multipart(), mon.recv_multipart()]
    assert [m[-1] for m in seen] == [b"ping", b"pong"]
    assert all(len(m) == 3 and m[1] == b"" for m in seen)  # the envelope, whole
    for s in (mon, rep, req):
        s.close()
    _stop(dev, ctx)


def test_thread_proxy_steerable_pause_statistics_terminate(ctx: purezmq.Context) -> None:
    dev = devices.ThreadProxySteerable(
        purezmq.PULL, purezmq.PUSH, purezmq.PUB, ctrl_type=purezmq.PAIR
    )
    _on(dev, ctx)
    dev.bind_in("inproc://st-in")
    dev.bind_out("inproc://st-out")
    dev.bind_mon("inproc://st-mon")
    dev.bind_ctrl("inproc://st-ctrl")
    dev.start()
    ctrl = _sock(ctx, purezmq.PAIR)
    ctrl.connect("inproc://st-ctrl")
    push = _sock(ctx, purezmq.PUSH)
    push.connect("inproc://st-in")
    pull = _sock(ctx, purezmq.PULL)
    pull.connect("inproc://st-out")
    push.send(b"one")
    assert pull.recv() == b"one"
    ctrl.send(b"PAUSE")
    assert ctrl.recv_multipart() == [b""]  # libzmq 4.3.5 answers every command
    ctrl.send(b"STATISTICS")
    stats = struct.unpack("=8Q", b"".join(ctrl.recv_multipart()))
    assert stats == (1, 3, 0, 0, 0, 0, 1, 3)  # front in 1 msg/3 B; back out the same
    push.send(b"two")
    assert not pull.poll(50)  # a negative check: nothing moves while paused
    ctrl.send(b"RESUME")
    assert ctrl.recv_multipart() == [b""]
    assert pull.recv() == b"two"
    ctrl.send(b"TERMINATE")
    dev.join(TIMEOUT_MS / 1000)
    assert dev.done and not dev.launcher.is_alive()
    for s in (ctrl, push, pull):
        s.close()


def test_thread_monitored_queue_router_to_router_with_prefixes(ctx: purezmq.Context) -> None:
    dev = devices.ThreadMonitoredQueue(
        purezmq.ROUTER, purezmq.ROUTER, purezmq.PUSH, in_prefix=b"IN", out_prefix=b"OUT"
    )
    _on(dev, ctx)
    dev.bind_in("inproc://mq-in")
    dev.bind_out("inproc://mq-out")
    dev.bind_mon("inproc://mq-mon")
    dev.start()
    mon = _sock(ctx, purezmq.PULL)
    mon.connect("inproc://mq-mon")
    worker = _sock(ctx, purezmq.DEALER)
    worker.identity = b"W"
    worker.connect("inproc://mq-out")
    # Wait until the out-ROUTER knows W (a message to an unknown id is dropped): the worker
    # announces itself; the device relays that to the in-side, where no C is connected yet
    # (dropped), then to the monitor.
    worker.send_multipart([b"C", b"", b"hello"])
    assert mon.recv_multipart() == [b"OUT", b"C", b"W", b"", b"hello"]
    client = _sock(ctx, purezmq.DEALER)
    client.identity = b"C"
    client.connect("inproc://mq-in")
    # The two routing ids are swapped on the way through, so the reply finds the client.
    client.send_multipart([b"W", b"", b"request"])
    assert worker.recv_multipart() == [b"C", b"", b"request"]
    worker.send_multipart([b"C", b"", b"reply"])
    assert client.recv_multipart() == [b"W", b"", b"reply"]
    assert mon.recv_multipart() == [b"IN", b"W", b"C", b"", b"request"]
    assert mon.recv_multipart() == [b"OUT", b"C", b"W", b"", b"reply"]
    for s in (mon, worker, client):
        s.close()
    _stop(dev, ctx)


def test_monitored_queue_function_ends_with_the_context() -> None:
    ctx = purezmq.Context()
    ready = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        ins = ctx.socket(purezmq.PULL)
        ins.bind("inproc://f-in")
        outs = ctx.socket(purezmq.PUSH)
        outs.bind("inproc://f-out")
        mons = ctx.socket(purezmq.PUSH)
        mons.bind("inproc://f-mon")
        ready.set()
        try:
            devices.monitored_queue(ins, outs, mons)
        except BaseException as exc:
            errors.append(exc)
        finally:
            for s in (ins, outs, mons):
                s.close(0)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert ready.wait(TIMEOUT_MS / 1000)
    push, pull, mon = (_sock(ctx, k) for k in (purezmq.PUSH, purezmq.PULL, purezmq.PULL))
    push.connect("inproc://f-in")
    pull.connect("inproc://f-out")
    mon.connect("inproc://f-mon")
    push.send_multipart([b"a", b"b"])
    assert pull.recv_multipart() == [b"a", b"b"]
    assert mon.recv_multipart() == [b"in", b"a", b"b"]  # pyzmq's default prefixes
    for s in (push, pull, mon):
        s.close()
    ctx.term()
    t.join(TIMEOUT_MS / 1000)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], purezmq.ContextTerminated)


def test_process_proxy_forwards_in_a_child_process() -> None:
    # In a fresh interpreter: forking the test process (with its engine threads) is not
    # what a program does; the script is the pyzmq documentation's use of ProcessProxy.
    script = textwrap.dedent(
        """
        import multiprocessing, purezmq
        from purezmq.devices import ProcessProxy

        dev = ProcessProxy(purezmq.PULL, purezmq.PUSH, purezmq.PUSH)
        in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
        out_port = dev.bind_out_to_random_port("tcp://127.0.0.1")
        mon_port = dev.bind_mon_to_random_port("tcp://127.0.0.1")
        dev.start()
        assert isinstance(dev.launcher, multiprocessing.Process)
        ctx = purezmq.Context()
        socks = []
        for kind, port in ((purezmq.PUSH, in_port), (purezmq.PULL, out_port),
                           (purezmq.PULL, mon_port)):
            s = ctx.socket(kind)
            s.linger = 0
            s.rcvtimeo = 10000
            s.connect(f"tcp://127.0.0.1:{port}")
            socks.append(s)
        push, pull, mon = socks
        push.send(b"across processes")
        assert pull.recv() == b"across processes"
        assert mon.recv() == b"across processes"
        assert dev.launcher.pid != __import__("os").getpid()
        dev.launcher.terminate()
        dev.join(10)
        assert dev.done
        ctx.destroy(0)
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_process_device_configuration_pickles_without_live_objects() -> None:
    # spawn/forkserver start methods pickle the device to its child process.
    dev = devices.ProcessMonitoredQueue(purezmq.XSUB, purezmq.XPUB, in_prefix=b"<")
    dev.bind_in("tcp://127.0.0.1:5555")
    dev.setsockopt_mon(purezmq.SNDHWM, 7)
    copy = pickle.loads(pickle.dumps(dev))
    assert copy.in_type == purezmq.XSUB and copy.mon_type == purezmq.PUB
    assert copy._plans["in"].binds == ["tcp://127.0.0.1:5555"]
    assert copy._plans["mon"].sockopts == [(purezmq.SNDHWM, 7)]
    assert copy._in_prefix == b"<" and copy._out_prefix == b"out"
    assert not copy.done


def test_constructor_arguments_as_pyzmq() -> None:
    with pytest.raises(TypeError, match="in_type"):
        devices.Device(purezmq.QUEUE)
    with pytest.raises(TypeError, match="out_type"):
        devices.ThreadDevice(purezmq.QUEUE, purezmq.PULL)
    with pytest.raises(TypeError, match="ctrl_type"):
        devices.ProxySteerable(purezmq.PULL, purezmq.PUSH)
    proxy = devices.Proxy(purezmq.PULL, purezmq.PUSH)
    assert proxy.mon_type == purezmq.PUB and proxy.device_type == purezmq.QUEUE
    assert devices.ThreadDevice.context_factory == purezmq.Context.instance
    assert devices.ProcessDevice.context_factory is purezmq.Context
    assert issubclass(devices.ThreadProxySteerable, devices.ThreadProxy)
    assert issubclass(devices.ProcessMonitoredQueue, devices.ProcessDevice)


@pytest.mark.interop
def test_thread_proxy_between_libzmq_publishers_and_subscribers(ctx: purezmq.Context) -> None:
    """An XSUB/XPUB forwarder in a purezmq device, libzmq (pyzmq) on both sides: the SUB's
    subscription travels up through the device, the PUB's messages down."""
    zmq = pytest.importorskip("zmq")
    dev = devices.ThreadProxy(purezmq.XSUB, purezmq.XPUB, purezmq.PUSH)
    _on(dev, ctx)
    in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
    out_port = dev.bind_out_to_random_port("tcp://127.0.0.1")
    dev.bind_mon("inproc://fwd-mon")
    dev.start()
    mon = _sock(ctx, purezmq.PULL)
    mon.connect("inproc://fwd-mon")
    lib = zmq.Context()
    try:
        pub = lib.socket(zmq.PUB)
        pub.linger = 0
        pub.connect(f"tcp://127.0.0.1:{in_port}")
        sub = lib.socket(zmq.SUB)
        sub.linger = 0
        sub.rcvtimeo = TIMEOUT_MS
        sub.connect(f"tcp://127.0.0.1:{out_port}")
        sub.subscribe(b"weather")
        # The subscription went SUB -> XPUB -> device -> XSUB -> PUB: the monitor sees it.
        assert mon.recv_multipart() == [b"\x01weather"]
        # ...and once the PUB has it, a matching message goes all the way down.
        wait_subscribed(pub, sub, [b"weather", b"sunny"])
        pub.send_multipart([b"sport", b"filtered by the PUB"])
        pub.send_multipart([b"weather", b"rain"])
        assert sub.recv_multipart() == [b"weather", b"rain"]
        pub.close()
        sub.close()
    finally:
        lib.term()
    mon.close()
    _stop(dev, ctx)
