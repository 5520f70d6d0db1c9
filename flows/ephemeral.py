"""The Prefect API a command runs against: the one PREFECT_API_URL names (checked first), or a
temporary server that cannot outlive the command.

Without PREFECT_API_URL, Prefect starts a temporary API server (uvicorn) in a child process
and stops it at exit. A SIGTERM (``docker stop``, systemd) or a SIGKILL skips that stop, and
the server lives on (~230 MB, its port open). Here the same server is started before the flow
(Prefect reuses it: one per process), SIGTERM and SIGHUP become a normal exit (so Prefect's own
stop runs), and the server cannot outlive this process however it ends: on Linux the kernel
sends it SIGTERM when we are gone (PR_SET_PDEATHSIG, set in the child before it runs, so even
a SIGKILL during its start-up is covered); elsewhere a small watchdog process does the same
once the server is up.
"""

from __future__ import annotations

import contextlib
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
    tied = sys.platform.startswith("linux")
    with _children_die_with_us(tied):
        server.start()
    if server.server_process is not None and not tied:
        _watch(server.server_process.pid)
    return server.api_url


def _die_with(parent: int):
    """In the child, before it runs: SIGTERM when ``parent`` is gone (and go now if it already is)."""
    def preexec() -> None:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
    return preexec


@contextlib.contextmanager
def _children_die_with_us(tied: bool):
    """While starting the server (from this, the main, thread), every child process started gets
    ``_die_with(us)``: Prefect starts the server with subprocess.Popen and no hook of its own."""
    if not tied:
        yield
        return
    real = subprocess.Popen
    hook = _die_with(os.getpid())

    class TiedPopen(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("preexec_fn", hook)
            super().__init__(*args, **kwargs)

    subprocess.Popen = TiedPopen
    try:
        yield
    finally:
        subprocess.Popen = real


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
