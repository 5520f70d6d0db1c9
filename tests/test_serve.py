"""`quotes serve` against a real Prefect server: start the server (free port, own PREFECT_HOME),
serve the inbox deployment, drop a seed into the inbox, trigger a run with `prefect deployment
run`, and find the new rows in the store. Everything started here is stopped, also on failure.

Select it alone with ``pytest -m server``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS, file_id

pytestmark = [pytest.mark.models, pytest.mark.prefect, pytest.mark.server]
BIN = Path(sys.executable).parent
DEPLOYMENT = "process-inbox/inbox"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


class Started:
    """Processes started by this test, each in its own session, stopped by their group id."""

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.tmp, self.env, self.procs = tmp, env, []

    def start(self, name: str, *args: str) -> tuple[subprocess.Popen, Path]:
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen([str(a) for a in args], env=self.env, stdout=log.open("wb"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc, log

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            try:  # children the group leader left behind (flow-run processes)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _wait_for(what: str, check, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what}: the process exited with {proc.returncode}\n{_log(log)}")
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"{what}: not ready after {timeout:.0f} s\n{_log(log)}")


def _get(url: str) -> int:
    import httpx

    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


@pytest.fixture
def served(models, tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_RUNNER_POLL_FREQUENCY": "2",
           "PREFECT_LOGGING_LEVEL": "INFO"}
    started = Started(tmp_path, env)
    try:
        server, server_log = started.start("server", BIN / "prefect", "server", "start", "--host", "127.0.0.1",
                                           "--port", str(port), "--no-ui", "--analytics-off")
        _wait_for("prefect server", lambda: _get(f"{api}/health") == 200, server, server_log, 180)
        inbox, store = tmp_path / "inbox", tmp_path / "store"
        serve, serve_log = started.start("serve", BIN / "quotes", "serve", "--inbox", inbox, "--interval", "3600",
                                         "--store", store)
        _wait_for("quotes serve", lambda: _get(f"{api}/deployments/name/{DEPLOYMENT}") == 200, serve, serve_log, 180)
        yield env, inbox, store, serve_log
    finally:
        started.stop_all()


def test_served_deployment_processes_new_inbox_files(served):
    from quotes.store.writer import Store

    env, inbox, store, serve_log = served
    seed = next(SEEDS.glob("004_*.txt"))
    (inbox / seed.name).write_bytes(seed.read_bytes())
    run = subprocess.run([str(BIN / "prefect"), "deployment", "run", DEPLOYMENT, "--watch", "--watch-timeout", "300"],
                         env=env, capture_output=True, text=True, timeout=360)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n--- serve log ---\n{_log(serve_log)}"
    assert "Completed" in run.stdout, run.stdout
    tables = Store(store).tables()
    documents = tables.documents.collect()
    assert documents["doc_id"].to_list() == [file_id(seed)], _log(serve_log)
    quotes = tables.quotes.collect()
    assert quotes.height > 0 and set(quotes["language"]) == {"nb"}
    assert "Vladimir Putin" in set(quotes["speaker_name"])
