"""The one kind of error a person can act on.

Library functions raise a ``QuotesError`` (or a subclass) for a mistake in what they were
asked: a missing store, a bad setting, a date that is no date, SQL that is not read-only. The
command line prints its message as one line and exits with ``exit_code``; anything else that
escapes a command is a bug, shown with its traceback only under ``--debug``.

Exit statuses of the ``quotes`` command:

- 0: done, every input processed;
- 1: done, but some inputs failed (``extract`` prints error lines, ``run`` records them in the
  store's ``failures`` table);
- 2: not done: a usage mistake or a problem to fix first (missing models, a wrong --store, an
  unreachable Prefect API, invalid SQL, a date that cannot be read);
- 70: not done: an internal error (a bug; ``--debug`` shows the traceback);
- 74: not done: the disk is full (EX_IOERR): one line says what could not be written, and a run
  says what it had written before;
- 130: interrupted (Ctrl-C), 143: terminated (SIGTERM).
"""

from __future__ import annotations

EXIT_FAILED_INPUTS = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL = 70
EXIT_IO = 74
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class QuotesError(Exception):
    """A problem the person running the command can fix; the message says how."""

    exit_code = EXIT_USER_ERROR
