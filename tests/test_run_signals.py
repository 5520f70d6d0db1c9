"""Killing `quotes run` (SIGTERM as docker stop and systemd send it, or SIGKILL) leaves no
Prefect server behind: the temporary API server dies with the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

pytestmark = [pytest.mark.models, pytest.mark.prefect]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append((int(entry.name), cmdline))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_run_takes_its_prefect_server_along(models, tmp_path, sig):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "STANZA_RESOURCES_DIR": models}
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "quotes.cli", "run", str(SEEDS), "--store", str(tmp_path / "s")],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = None
    try:
        deadline = time.monotonic() + 180
        while server is None and time.monotonic() < deadline and proc.poll() is None:
            server = next((pid for pid, cmd in _children(proc.pid) if "prefect.server.api.server" in cmd), None)
            time.sleep(0.2)
        assert server is not None, (tmp_path / "run.log").read_text()[-3000:]
        time.sleep(2)  # let the run get going
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(server), "the temporary Prefect server outlived `quotes run`"
        if sig == signal.SIGTERM:
            assert proc.returncode in (143, -signal.SIGTERM), proc.returncode
    finally:
        for pid in [proc.pid] + ([server] if server else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
