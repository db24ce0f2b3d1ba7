"""The app's remembered choices (which practitioner you are), kept in the user
config folder as `caseload/state.json`. Holds an id, never personal data."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from platformdirs import user_config_dir


def state_path(database: str | None = None) -> Path:
    """`state.json`, or with `database` (a label of the database: its file
    path or server) that database's own `state-<hash>.json`: the
    practitioner chosen on one database is not offered on another."""
    folder = Path(user_config_dir("caseload", appauthor=False))
    if database is None:
        return folder / "state.json"
    return folder / f"state-{hashlib.sha256(database.encode()).hexdigest()[:16]}.json"


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


def save_practitioner(practitioner_id: str | None, path: Path | None = None) -> None:
    """Remember the choice (None: forget it); a read-only config folder is
    not worth a crash."""
    path = path or state_path()
    state = load_state(path)
    if practitioner_id is None:
        if "practitioner_id" not in state:
            return
        del state["practitioner_id"]
    else:
        state["practitioner_id"] = practitioner_id
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError:
        pass
