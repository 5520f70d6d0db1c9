"""The Prefect API a command runs against: the one PREFECT_API_URL names (checked first), or a
temporary server that cannot outlive the command.

Without PREFECT_API_URL, Prefect starts a temporary API server (uvicorn) in a child process
and stops it at exit. A SIGTERM (``docker stop``, systemd) or a SIGKILL skips that stop, and
the server lives on (~230 MB, its port open). Here the same server is started before the flow
(Prefect reuses it: one per process), SIGTERM and SIGHUP become a normal exit (so Prefect's own
stop runs), and a small watchdog process ends the server when this process is gone, however it
went — the one thing a SIGKILL cannot prevent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from quotes.errors import EXIT_TERMINATED, QuotesError

# Runs apart from us: until our pid is gone, then SIGTERM the server (SIGKILL if it lingers).
_WATCHDOG = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
while alive(child):
    if not alive(parent) or os.getppid() != parent:
        os.kill(child, signal.SIGTERM)
        for _ in range(50):
            time.sleep(0.1)
            if not alive(child):
                sys.exit(0)
        os.kill(child, signal.SIGKILL)
        sys.exit(0)
    time.sleep(1)
"""


class ApiUnreachable(QuotesError):
    """PREFECT_API_URL names a server that does not answer."""


def _terminate(signum, frame):  # noqa: ARG001 - the signal handler's signature
    raise SystemExit(EXIT_TERMINATED)


def exit_on_sigterm() -> None:
    """SIGTERM and SIGHUP end the command like Ctrl-C would: cleanups and atexit handlers run."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)


def prefect_api() -> str:
    """The API URL flows will report to: PREFECT_API_URL after checking it answers, else a
    temporary server started now, tied to this process. ApiUnreachable when the URL is dead."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if url:
        _check(url)
        return url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's client takes when no URL is set
    server.start()
    if server.server_process is not None:
        _watch(server.server_process.pid)
    return server.api_url


def _check(url: str) -> None:
    import httpx

    try:
        status = httpx.get(f"{url.rstrip('/')}/health", timeout=5).status_code
    except httpx.HTTPError as exc:
        raise ApiUnreachable(
            f"cannot reach the Prefect API at {url} (PREFECT_API_URL): {type(exc).__name__}; start it with "
            "`prefect server start`, or unset PREFECT_API_URL to run against a temporary server") from None
    if status != 200:
        raise ApiUnreachable(f"the Prefect API at {url} (PREFECT_API_URL) answers {status} to /health: "
                             "is it a Prefect server?")


def _watch(server_pid: int) -> None:
    subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(server_pid)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
