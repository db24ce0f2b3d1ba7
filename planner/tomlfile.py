"""Reading a settings file (TOML) with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path

from planner.errors import ConfigError, FileProblem


class ConfigFileProblem(FileProblem, ConfigError):
    """The settings file cannot be read at all (exit status 5, a file problem)."""


def read_toml(path: Path) -> dict:
    """The file's table; ConfigError naming the file for anything that stops it
    being read (missing, a folder, unreadable, not TOML, not UTF-8)."""
    import tomllib  # here, not at import: most runs read no file (1.5 ms)

    label = str(path)
    try:
        with path.open("rb") as handle:
            # utf-8-sig: a byte-order mark (as some Windows editors write) is not the settings' text
            return tomllib.loads(handle.read().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigFileProblem(f"{label}: no such file") from None
    except IsADirectoryError:
        raise ConfigFileProblem(f"{label}: is a folder, not a file") from None
    except PermissionError:
        raise ConfigFileProblem(f"{label}: cannot be read (permission denied)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not valid UTF-8") from None
