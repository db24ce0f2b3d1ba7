"""The app's remembered choices (which practitioner you are), kept in the user
config folder as `caseload/state.json`. Holds an id, never personal data."""

from __future__ import annotations

import json
import os
from pathlib import Path

from platformdirs import user_config_dir


def state_path() -> Path:
    return Path(user_config_dir("caseload", appauthor=False)) / "state.json"


def load_state(path: Path | None = None) -> dict:
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_practitioner(path: Path | None = None) -> str | None:
    value = load_state(path).get("practitioner_id")
    return value if isinstance(value, str) and value else None


def save_practitioner(practitioner_id: str, path: Path | None = None) -> None:
    """Remember the choice; a read-only config folder is not worth a crash."""
    path = path or state_path()
    state = load_state(path)
    state["practitioner_id"] = practitioner_id
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError:
        pass
