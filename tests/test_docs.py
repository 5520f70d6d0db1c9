"""Every documented command and code example runs as written.

Fenced blocks marked ``sh`` in README.md and docs/*.md are run line by line with bash in a sandbox
folder that holds what the examples name (``seeds/``, ``article.html``, ``feed.jsonl``,
``more-articles/``, ``inbox/``, a ``.venv`` that is this one); each line must exit 0. Blocks marked
``python`` are executed there. A block preceded by ``<!-- not run here: REASON -->`` is left out
(REASON names what runs it instead: the set-up, ``make eval``, tests/test_serve.py); the test
checks that the reason names something. Blocks marked ``text`` are not commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

pytestmark = [pytest.mark.models, pytest.mark.prefect]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- not run here: (?P<why>[^>]*) -->\s*)?```(?P<lang>[\w-]*)\n(?P<body>.*?)```", re.S)


def blocks(lang: str) -> list[tuple[str, int, str]]:
    """(file name, line, body) of every block of ``lang`` that is run."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            if m.group("lang") != lang:
                continue
            if m.group("why") is not None:
                assert m.group("why").strip(), f"{doc.name}: a block not run must say what runs it"
                continue
            out.append((doc.name, text[:m.start("body")].count("\n") + 1, m.group("body")))
    return out


def test_every_block_says_what_it_is():
    for doc in DOCS:
        for m in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            assert m.group("lang") in ("sh", "python", "text"), f"{doc.name}: a block marked {m.group('lang')!r}"


@pytest.fixture(scope="module")
def sandbox(models, tmp_path_factory):
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(SEEDS, root / "seeds")
    (root / ".venv").symlink_to(ROOT / ".venv")
    (root / "more-articles").mkdir()
    shutil.copy(next(SEEDS.glob("002_*.txt")), root / "more-articles" / "article.txt")
    (root / "inbox").mkdir()
    paragraphs = [p for p in next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    (root / "article.html").write_text(
        "<html><head><title>Peskow: Putin wird Nordkorea besuchen</title>"
        '<meta property="article:published_time" content="2024-01-16T10:00:00+01:00"></head><body><article>'
        + "".join(f"<p>{p}</p>" for p in paragraphs[1:]) + "</article></body></html>", encoding="utf-8")
    (root / "feed.jsonl").write_text(json.dumps({
        "id": "sputnik-1", "text": next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"), "outlet": "Sputnik",
        "published": "2024-01-15T09:00:00+00:00", "lang": "de"}, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(root / "prefect"), "STANZA_RESOURCES_DIR": models,
           "PATH": f"{ROOT / '.venv' / 'bin'}:{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("PREFECT_API_URL", None)
    env.pop("QUOTES_STORE", None)
    return root, env


def test_documented_commands_run(sandbox):
    root, env = sandbox
    ran = 0
    for name, line_no, body in blocks("sh"):
        env_here = dict(env)
        for n, line in enumerate(body.splitlines()):
            command = line.split("  #")[0].strip()
            if not command or command.startswith("#"):
                continue
            if command.startswith("export "):
                for assignment in command.removeprefix("export ").split():
                    key, _, value = assignment.partition("=")
                    env_here[key] = value
                continue
            proc = subprocess.run(["bash", "-c", command], cwd=root, env=env_here, capture_output=True, text=True,
                                  timeout=600)
            assert proc.returncode == 0, f"{name}:{line_no + n}: {command}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
            assert "Traceback" not in proc.stderr, f"{name}:{line_no + n}: {command}\n{proc.stderr[-3000:]}"
            ran += 1
    assert ran >= 10


def test_documented_python_runs(sandbox, monkeypatch):
    root, _ = sandbox
    assert (root / "store").is_dir(), "the commands' store (test_documented_commands_run) comes first"
    monkeypatch.chdir(root)
    for name, line_no, body in blocks("python"):
        try:
            exec(compile(body, f"{name}:{line_no}", "exec"), {"__name__": "__doc_example__"})
        except Exception as exc:  # noqa: BLE001 - report which example failed
            pytest.fail(f"{name}:{line_no}: {type(exc).__name__}: {exc}")
