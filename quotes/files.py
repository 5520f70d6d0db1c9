"""Every file the tool writes, and every file it reads on a person's behalf, goes through here.

Writing (``write_file``): the target must be absent or a regular file (a link, a device such as
``/dev/full``, a FIFO or a folder is refused, not replaced), its folder must exist, and it must not
lie inside a quotes store (a store's tables are written by the store alone; see ``inside_store``).
The bytes go to a temporary file that ``tempfile`` creates in the target's folder with ``O_EXCL``
and an unpredictable name (so no link planted beside the target is followed), are flushed to disk,
and the temporary file is renamed over the target: a reader sees the old file or the new one,
never half of one. A full disk is ``DiskFull`` (exit status 74), any other failure ``FileRefused``
(exit status 2); neither leaves a temporary file behind.

Reading (``open_regular``, ``read_bytes``, ``read_text``): regular files only (a FIFO, a socket,
``/dev/zero`` or ``/dev/random`` is refused without reading, so nothing blocks or fills memory),
checked on the open file (a path swapped after a check cannot slip through), and never more than
a size bound.

A leaf: it imports only ``quotes.errors`` (and the standard library), so every package may use it.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable

from quotes.errors import EXIT_IO, QuotesError

# The file that makes a folder a quotes store (quotes/store/reader.py writes and reads it).
STORE_MARKER = "quotes-store.json"
# A folder holding this is a Delta table (of a quotes store or any other).
DELTA_LOG = "_delta_log"
# Every store has one of these tables: a folder holding one is a store, marker or not (older stores).
STORE_TABLES = ("documents", "failures")
DEFAULT_READ_LIMIT = 64 << 20  # bytes a file read through here may hold unless the caller says otherwise


class FileRefused(QuotesError, OSError):
    """A file that is not read or written, and why (one line)."""


class DiskFull(QuotesError, OSError):
    """No space left while writing: exit status 74 (EX_IOERR)."""

    exit_code = EXIT_IO


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISREG, "a file")):
        if test(mode):
            return name
    return "not a regular file"


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk or quota: errno ENOSPC/EDQUOT, or the text
    the OS gives it inside another library's error (deltalake, polars, a Rust panic)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc)
        if "No space left on device" in text or "os error 28" in text or "Disk quota exceeded" in text:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def disk_full(path: str | os.PathLike, what: str) -> DiskFull:
    return DiskFull(f"no space left on the device of {Path(path).parent} while writing {what}")


# --- stores ------------------------------------------------------------------------------------


def is_store_folder(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` is a quotes store (its marker, or a ``documents`` or ``failures`` Delta
    table in it), a Delta table, or a table's log: never an input, never a place for an output."""
    folder = Path(folder)
    try:
        return (folder.name == DELTA_LOG or (folder / STORE_MARKER).is_file() or (folder / DELTA_LOG).is_dir()
                or any((folder / table / DELTA_LOG).is_dir() for table in STORE_TABLES))
    except OSError:
        return False


def store_folder_of(path: str | os.PathLike) -> Path | None:
    """The store (or Delta table) ``path`` lies in, if any: the uppermost folder at or above it
    that ``is_store_folder``, with links resolved (a link to a table's log is inside the store)."""
    here = Path(os.path.realpath(path))
    found = None
    for folder in [here, *here.parents]:
        if is_store_folder(folder):
            found = folder.parent if folder.name == DELTA_LOG else folder
    return found


# --- writing -----------------------------------------------------------------------------------


def check_target(path: str | os.PathLike, *, may_sit_in_store: bool = False) -> Path:
    """``path`` when a file may be written there; FileRefused (one line) otherwise."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise FileRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise FileRefused(f"cannot write {path}: it is {kind_of(st.st_mode)}, not a regular file "
                          "(only a new or a regular file is written)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileRefused(f"cannot write {path}: the folder {parent} does not exist")
    store = store_folder_of(parent)
    if store is not None and not may_sit_in_store:
        raise FileRefused(f"cannot write {path}: it lies inside the store (or Delta table) {store}, "
                          "whose files only the store writes; write it elsewhere")
    return path


def write_file(path: str | os.PathLike, content: bytes | str | Callable[[IO[bytes]], None], *,
               what: str | None = None, may_sit_in_store: bool = False) -> Path:
    """Write ``content`` (bytes, text as UTF-8, or a function that writes into a binary file) to
    ``path`` atomically, by the rules of the module doc. Returns the path."""
    path = check_target(path, may_sit_in_store=may_sit_in_store)
    what = what or str(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(path, what) from None
        raise FileRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content.encode("utf-8") if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)  # a file replaced keeps its permissions
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, path)  # a rename: replaces a link planted at ``path`` since, never its target
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(exc, QuotesError):
            raise
        if isinstance(exc, Exception) and is_disk_full(exc):
            raise disk_full(path, what) from None
        if isinstance(exc, OSError):
            raise FileRefused(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return path


# --- reading -----------------------------------------------------------------------------------


def open_regular(path: str | os.PathLike) -> IO[bytes]:
    """A binary file object on ``path`` when it is a regular file; FileRefused otherwise. Opened
    without blocking (a FIFO would wait for a writer) and checked on the open file."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused(f"{path}: file not found") from None
    except PermissionError:
        raise FileRefused(f"{path}: cannot read: permission denied") from None
    except OSError as exc:  # a socket (ENXIO), a loop of links (ELOOP), …
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise FileRefused(f"{path}: cannot read: {exc.strerror or exc}") from None
        raise FileRefused(f"{path}: {kind_of(mode)}, not a regular file: only regular files are read") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise FileRefused(f"{path}: {kind_of(mode)}, not a regular file: only regular files are read")
    return os.fdopen(fd, "rb")


def too_large(path: str | os.PathLike, size: int, limit: int) -> FileRefused:
    return FileRefused(f"{path}: too large: {size:,} bytes, over the limit of {limit:,} bytes")


def read_bytes(path: str | os.PathLike, limit: int = DEFAULT_READ_LIMIT) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (FileRefused otherwise; never more than
    ``limit`` + 1 bytes are read, even from a file that grows)."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise too_large(path, size, limit)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise too_large(path, len(data), limit)
    return data


def read_text(path: str | os.PathLike, limit: int = DEFAULT_READ_LIMIT) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes; FileRefused otherwise."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"{path}: not UTF-8 text (byte {exc.start})") from None
