"""Side-by-side runs: each library in its own process, repetitions
alternating between them, so both see the same machine state.

A peer script calls :func:`alternate` with the commands of each library's
child; a child prints one JSON object per measurement on stdout.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any


def child_json(cmd: list[str], env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Runs one child and returns the JSON objects it printed."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed with exit code {p.returncode}:\n{p.stdout}\n{p.stderr}"
        )
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def alternate(
    commands: dict[str, list[str]], rounds: int, env: dict[str, str] | None = None
) -> dict[str, list[list[dict[str, Any]]]]:
    """Runs every library's command once per round, in turns (the order
    rotates each round). Returns each library's results, one list per round."""
    names = list(commands)
    out: dict[str, list[list[dict[str, Any]]]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for n in order:
            out[n].append(child_json(commands[n], env))
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def emit(report: dict[str, Any], path: str | None) -> None:
    text = json.dumps(report, indent=1)
    print(text)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")


def python() -> str:
    return sys.executable
