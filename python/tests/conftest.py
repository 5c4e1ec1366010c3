"""The engine the tests talk to: ENGINE_ADDRESS when set, else `npm run engine`'s program
(src/main/engine/cli.ts through tsx) started here on a free loopback port and stopped at the end
of the test run, even when tests fail."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from control_room_engine import EngineClient  # noqa: E402

START_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def engine_address():
    given = os.environ.get("ENGINE_ADDRESS")
    if given:
        yield given
        return
    node = os.environ.get("NODE") or shutil.which("node")
    assert node, "node is not on PATH (set NODE)"
    proc = subprocess.Popen(
        [node, "--import", "tsx", str(ROOT / "src/main/engine/cli.ts"), "--port", "0", "--no-metrics", "--workers", "2", "--unary-workers", "1"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "warn"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found: dict = {}
    seen: list = []
    ready = threading.Event()

    def read() -> None:
        # Keeps draining the engine's output so it never blocks on a full pipe.
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            m = re.search(r"engine listening on (\S+)", line)
            if m:
                found["address"] = m.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        ready.wait(START_TIMEOUT_S)
        assert "address" in found, f"the engine did not start (exit {proc.poll()}):\n{''.join(seen[-30:])}"
        yield found["address"]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture()
def client(engine_address):
    c = EngineClient(engine_address)
    yield c
    c.close()
