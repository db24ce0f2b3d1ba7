"""What the revisions in versions/ share on PostgreSQL (loading code only).

The SQL each revision runs stays in the revision; this module only finds the
schema, pins a definer function's search path, loads an earlier revision for
what a later one reuses (schema 0004's `_FUNCTIONS` and `ROLE`), and remakes
the column guard of schema 0007 on a table. Every statement here is the one
the revisions ran before they shared it, to the letter: a server already
upgraded sees no difference.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

VERSIONS = Path(__file__).with_name("versions")


def schema() -> str:
    """The current schema, quoted for SQL."""
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    return '"' + name.replace('"', '""') + '"'


def pin(s: str) -> str:
    """A SECURITY DEFINER function's search path: the catalog, schema `s`, temp last (schema 0004)."""
    return f"SET search_path = pg_catalog, {s}, pg_temp"


def serial_sequence(s: str, table: str) -> str:
    """The sequence of `table`'s id, schema-qualified and quoted."""
    return op.get_bind().execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                 {"t": f'{s}."{table}"'}).scalar_one()


@cache
def revision(file_name: str) -> ModuleType:
    """An earlier revision's module, by its file name in versions/ (for what a later one redefines)."""
    path = VERSIONS / file_name
    spec = importlib.util.spec_from_file_location(f"caseload_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def access_v2() -> ModuleType:
    """Schema 0004's module: its definer functions (`_FUNCTIONS`) and `ROLE`."""
    return revision("0004_access_v2.py")


def definer_body(name: str) -> str:
    """The body of schema 0004's definer function `name`, `{s}` for the schema."""
    return next(body for fn, _args, _returns, body in access_v2()._FUNCTIONS if fn == name)


def guard_columns(s: str, table: str, columns: Sequence[str]) -> None:
    """Remake schema 0007's column guard on `table`: an UPDATE by a
    practitioner's login may change only `columns`."""
    args = ", ".join(f"'{c}'" for c in columns)
    op.execute(f'DROP TRIGGER IF EXISTS guard_columns ON {s}."{table}"')
    op.execute(f"""CREATE TRIGGER guard_columns BEFORE UPDATE ON {s}."{table}"
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_columns({args})""")
