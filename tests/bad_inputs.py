"""A corpus of bad (and a few good) inputs, generated, never downloaded: every case of the
robustness issue, each with what a user must get for it.

``make_corpus(root)`` writes the files under ``root`` and returns the cases: a relative path and
the expected outcome, ``"document"`` or a ``Failure`` message fragment. A run as root cannot
test permission errors (root reads everything), so callers run the CLI as an unprivileged user
then (``unprivileged()``).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Small enough that one generated file passes it; the seeds are all shorter.
MAX_CHARS = 30_000
MARKUP = "[/bold] [link=https://example.org/x]click[/link] [red]"
EVIL_NAME = "evil[/x] [link=file:k]k[/link].txt"  # a folder 'evil[', then more ('/' cannot be in a name)
EVIL_EMPTY = "bad [red]name[/red].txt"


@dataclass(frozen=True)
class Case:
    path: str  # relative to the corpus root; for JSONL, "file.jsonl#line N"
    expect: str  # "document", or a fragment of the failure's error
    stage: str = "ingest"
    doc_id: str | None = None  # the id a JSONL record gives itself

    @property
    def file(self) -> str:
        return self.path.split("#")[0]


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def make_corpus(root: Path) -> list[Case]:
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def write(rel: str, data: bytes | str, expect: str, stage: str = "ingest") -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(Case(rel, expect, stage))
        return path

    # good documents beside the bad ones
    write("good/seed-rt.txt", seed("000"), "document")
    # names rich would read as markup: '[/x]' closes a tag nobody opened, [link=…] hides a link
    write(EVIL_NAME, seed("002"), "document")
    write(EVIL_EMPTY, b"", "empty")
    # the same file name in two folders, and a folder of index pages: distinct documents
    write("same1/article.txt", seed("001"), "document")
    write("same2/article.txt", seed("003"), "document")
    page = "<html><head><title>{t}</title></head><body><article><p>{p}</p></article></body></html>"
    for n, prefix in ((1, "000"), (2, "001")):
        first = [p for p in seed(prefix).split("\n\n") if len(p) > 200][0]
        write(f"site/{n}/index.html", page.format(t=f"Seite {n}", p=first), "document")
    write("latin1.txt", seed("000").encode("cp1252"), "document")
    # unreadable or no text
    write("empty.txt", b"", "empty")
    write("blank.txt", b" \n\t \n", "empty")
    write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary file")
    write("swedish.txt", "Regeringen meddelade i dag att den kommer att presentera ett nytt förslag om "
                         "skatter under hösten. Statsministern sade att förslaget är viktigt för landet.",
          "not supported", "language")
    write("huge.txt", ("Der Minister sagte, es sei alles gut. " * 1000), "too large")
    # JSON lines: a record nested 200,000 deep beside a good one, a control character, bad dates
    deep = root / "deep.jsonl"
    deep.write_bytes(b"[" * 200_000 + b"\n" + json.dumps({"id": "after-deep", "text": seed("000"), "lang": "de"})
                     .encode() + b"\n")
    cases += [Case("deep.jsonl#line 1", "nested too deeply"), Case("deep.jsonl#line 2", "document", doc_id="after-deep")]
    records = [
        {"id": "dated-dmy", "text": seed("001"), "published": "16.01.2024", "lang": "de"},
        {"id": "markup", "title": MARKUP, "lang": "de",
         "text": f"Der Sprecher sagte: „Das ist {MARKUP} und bleibt so.“ Dann ging er."},
        {"id": "odd-date", "text": seed("002"), "published": "sometime soon", "lang": "de"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ['{"id": "ctl", "text": "a\x01b"}']
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases += [Case(f"feed.jsonl#line {n}", "document", doc_id=r["id"]) for n, r in enumerate(records, 1)]
    cases.append(Case(f"feed.jsonl#line {len(records) + 1}", "invalid JSON: Invalid control character"))
    # not regular files: a FIFO would block a reader, /dev/zero never ends
    os.mkfifo(root / "pipe.txt")
    cases.append(Case("pipe.txt", "FIFO"))
    os.symlink("/dev/zero", root / "zero.txt")
    cases.append(Case("zero.txt", "character device"))
    # no permission: a file and a folder (holding a good file that cannot be reached)
    locked_file = write("locked.txt", seed("000"), "permission denied")
    locked_dir = root / "locked-folder"
    locked_dir.mkdir()
    (locked_dir / "inside.txt").write_text(seed("001"), encoding="utf-8")
    cases.append(Case("locked-folder", "cannot list this folder"))
    locked_file.chmod(0)
    locked_dir.chmod(0)
    return cases


def world_readable(root: Path) -> None:
    """Every folder up to and under ``root`` traversable, so an unprivileged user reaches it."""
    for path in [root, *root.parents]:
        if path == Path("/"):
            break
        path.chmod(path.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)


def _drop_file_override() -> None:
    """In the child, before exec: give up the capabilities that let root ignore file modes
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that a mode of 000 stops root too."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for cap in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def unprivileged() -> dict:
    """Popen keyword arguments under which a permission error is real: as root, the command runs
    without the capabilities that override file modes; otherwise as it is."""
    return {"preexec_fn": _drop_file_override} if os.geteuid() == 0 else {}


def cleanup(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)
