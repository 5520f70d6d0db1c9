"""quotes.terminal.safe makes any text safe for a terminal, and every human-readable output uses
it: an escape sequence in a file name or a document's text is shown escaped, never acted on; the
JSON lines keep the exact text."""

from __future__ import annotations

import json
import os

import pytest
from conftest import run_main
from hypothesis import given, settings
from hypothesis import strategies as st

from quotes.terminal import is_safe, safe

CONTROLS = [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n"] + [chr(c) for c in range(0x7F, 0xA0)]
BIDI = ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
        "\u2028", "\u2029"]
EXAMPLES = int(os.environ.get("QUOTES_FUZZ_EXAMPLES", "200"))


def _no_control(text: str) -> bool:
    return not any(ch in CONTROLS or ch in BIDI for ch in text)


def test_every_control_character_is_shown_escaped():
    for ch in CONTROLS + BIDI:
        shown = safe(f"a{ch}b")
        assert _no_control(shown) and shown != f"a{ch}b" and shown.startswith("a\\") and shown.endswith("b"), repr(ch)
    assert safe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert safe("\x9b2J") == "\\x9b2J" and safe("\u202eabc") == "\\u202eabc"
    assert safe("line\nnext\ttab") == "line\nnext\ttab" and safe("line\nnext\ttab", newlines=False) == "line\\x0anext\\x09tab"


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(alphabet=st.sampled_from(CONTROLS + BIDI + list("ab [/]\\\t\n\x1b]8;;"))
               | st.characters(), max_size=200))
def test_safe_output_holds_no_control_character_and_leaves_clean_text_alone(text):
    shown = safe(text)
    assert _no_control(shown) and is_safe(shown)
    assert is_safe(safe(text, newlines=False), newlines=False) and "\n" not in safe(text, newlines=False)
    if _no_control(text):
        assert shown == text


HOSTILE_TEXT = ("Kremlsprecher Dmitri Peskow sagte am Montag: „Wir sind bereit\x1b]0;pwned\x07\x1b[2J, "
                "über alles zu reden\x9b2J.“ Das teilte er in Moskau mit.\n")
HOSTILE_NAME = "\x1b[31mred\x1b[0m\u202etxt.txt"


def _clean(output: str) -> None:
    assert "\x1b" not in output and "\x9b" not in output and "\u202e" not in output and "\x07" not in output, output


@pytest.mark.models
def test_extract_table_and_error_lines_show_escapes_escaped(capsys, tmp_path, models):
    (tmp_path / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    (tmp_path / "\x1b]8;;http:evil\x1b\\link\x1b]8;;\x1b\\.txt").write_text("", encoding="utf-8")  # fails: empty
    status, out, err = run_main(capsys, "extract", str(tmp_path), "--format", "table", "--lang", "de")
    assert status == 1, err
    _clean(out)
    _clean(err)
    assert "\\x1b[31mred" in out and "\\x1b]0;pwned" in out and "\\x1b]8;;http:evil" in err
    status, out, err = run_main(capsys, "extract", str(tmp_path / HOSTILE_NAME), "--lang", "de")
    record = json.loads(out.splitlines()[0])
    assert record["path"].endswith(HOSTILE_NAME) and any("\x1b]0;pwned" in q["text"] for q in record["quotes"])


@pytest.fixture(scope="module")
def hostile_store(models, tmp_path_factory):
    from quotes.run.runner import run_corpus

    folder = tmp_path_factory.mktemp("hostile")
    (folder / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    store = folder.parent / f"{folder.name}-store"
    run_corpus([str(folder)], str(store), lang="de", embed=False)
    return str(store)


@pytest.mark.models
@pytest.mark.parametrize("command", [["query", "quotes"], ["sql", "SELECT path, text FROM quotes"],
                                     ["export", "--table", "documents", "--format", "jsonl"]])
def test_tables_of_the_store_show_escapes_escaped_and_json_keeps_them(capsys, hostile_store, command):
    status, out, err = run_main(capsys, *command, "--store", hostile_store)
    assert status == 0, err
    if "jsonl" in command:
        assert any(json.loads(line)["path"].endswith(HOSTILE_NAME) for line in out.splitlines())
        return
    _clean(out)
    assert "\\x1b" in out


def test_a_file_name_that_is_not_utf8_is_read_and_shown_with_its_byte_escaped(tmp_path):
    """Found by the re-probe: a name with a raw 0x9b byte (C1 CSI in Latin-1) failed at extract with
    'utf-8 codec can't encode'."""
    from quotes.ingest.read import read_documents

    folder = os.fsencode(tmp_path)
    name = folder + b"/\x1b[31m\x9b2J.txt"
    with open(name, "wb") as f:
        f.write(HOSTILE_TEXT.encode())
    (doc,) = list(read_documents([str(tmp_path)]))
    assert doc.path.endswith("\x1b[31m\\x9b2J.txt") and doc.doc_id.startswith("\x1b[31m\\x9b2J-")
    doc.model_dump_json()  # a record that JSON can hold


def test_a_setting_with_control_characters_is_written_so_that_it_reads_back(capsys, tmp_path, monkeypatch):
    """Found by the re-probe: `quotes config set store $'\\e[2J…'` wrote a settings file TOML cannot read."""
    monkeypatch.setenv("QUOTES_CONFIG", str(tmp_path / "settings.toml"))
    monkeypatch.delenv("QUOTES_STORE", raising=False)
    status, _, err = run_main(capsys, "config", "set", "store", "\x1b[2J/tmp/x\t\"q\"")
    assert status == 0, err
    _clean(err)
    status, out, err = run_main(capsys, "config")
    assert status == 0, err
    _clean(out)
    assert 'store = \\x1b[2J/tmp/x\\x09"q"' in out
