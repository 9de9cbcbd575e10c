"""Throughput against message size, one panel per transport, one line per implementation.

matplotlib is optional: :func:`available` says whether it can be imported, and nothing else in
the benchmark imports it.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from .runner import Cell, fmt_size

#: purezmq in solid lines, pyzmq dashed, one colour per API, so pairs are easy to compare.
COLOURS = {"sync": "tab:blue", "asyncio": "tab:orange", "uvloop": "tab:green"}


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def plot(cells: list[Cell], path: str, title: str = "") -> None:
    """Draw the ``thr`` cells of ``cells`` (MB/s against size, log-log) into ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    thr = [c for c in cells if c.test == "thr" and c.status == "ok"]
    panels = sorted({(c.transport, c.mechanism) for c in thr}, key=_panel_order)
    if not panels:
        raise ValueError("no successful throughput cells to plot")
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.4), squeeze=False)
    for ax, (transport, mech) in zip(axes[0], panels, strict=True):
        series: dict[str, list[tuple[int, float]]] = {}
        for c in thr:
            if (c.transport, c.mechanism) == (transport, mech):
                series.setdefault(c.impl, []).append((c.size, c.metrics["mb_per_s"]))
        for impl in sorted(series):
            lib, api = impl.split("-", 1)
            points = sorted(series[impl])
            style: dict[str, Any] = {
                "color": COLOURS.get(api, "black"),
                "linestyle": "-" if lib == "purezmq" else "--",
                "marker": "o" if lib == "purezmq" else "x",
            }
            ax.plot([p[0] for p in points], [p[1] for p in points], label=impl, **style)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        sizes = sorted({c.size for c in thr})
        ax.set_xticks(sizes)
        ax.set_xticklabels([fmt_size(s).replace(" ", "") for s in sizes], rotation=45)
        ax.set_title(f"PUSH→PULL {transport}" + (f" {mech}" if mech != "null" else ""))
        ax.set_xlabel("message size")
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes[0]:
        ax.set_ylabel("MB/s (receiver)")
    axes[0][-1].legend(fontsize="small")
    if title:
        fig.suptitle(title, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _panel_order(panel: tuple[str, str]) -> tuple[int, str]:
    order = {"tcp": 0, "ipc": 1, "inproc": 2, "ws": 3}
    return (order.get(panel[0], 9), panel[1])
