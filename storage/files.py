"""Files that hold personal data (exports, week plans, supervision records,
backups): written whole or not at all, readable by their owner only, never
through a symbolic link and never over an existing file unless asked.

    with PrivateFiles(force=False) as out:
        out.claim(path)                 # every file first: refusals before any writing
        with out.open(path) as fh:      # a temporary file beside it, 0600
            fh.write(...)
        ...                             # e.g. record the audit event and commit
        out.place()                     # each temporary file renamed into place

A full disk, a crash or a refused audit event before `place` leaves no file
behind, only the earlier ones untouched (the temporary files are removed on
the way out). `place` never replaces a file that appeared meanwhile unless
`force` (a hard link claims the name atomically where the file system has
them), and it replaces a symbolic link itself, never what it points to.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from planner.errors import FileProblem

__all__ = ["FileProblem", "PrivateFiles", "write_private"]


class PrivateFiles:
    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._staged: list[tuple[Path, Path]] = []  # (temporary, final)
        self._claimed: set[Path] = set()

    def claim(self, path: str | os.PathLike[str]) -> Path:
        """Check that `path` may be written (refusing with FileProblem);
        returns it as a Path."""
        path = Path(path)
        if path.is_symlink():
            raise FileProblem(f"{path} is a symbolic link; refusing to write through it (give another name)")
        if path.is_dir():
            raise FileProblem(f"{path} is a folder; give a file name")
        if path.exists() and not self.force:
            raise FileProblem(f"{path} already exists; give --force to replace it")
        if not path.parent.is_dir():
            raise FileProblem(f"folder {path.parent} does not exist")
        self._claimed.add(path)
        return path

    def new_path(self, path: str | os.PathLike[str]) -> Path:
        """A temporary file (0600, empty) beside `path`, to be placed there;
        for writers that take a file name (SQLite's backup, pg_dump)."""
        path = Path(path)
        if path not in self._claimed:
            self.claim(path)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        except OSError as exc:
            raise FileProblem(f"cannot write in {path.parent} ({exc.strerror or exc})") from None
        os.close(fd)
        temporary = Path(name)
        self._staged.append((temporary, path))
        return temporary

    def open(self, path: str | os.PathLike[str], *, binary: bool = False) -> io.IOBase:
        """A temporary file to write `path`'s contents to; flushed to disk on close."""
        buffered = io.BufferedWriter(_Synced(self.new_path(path), "wb"))
        return buffered if binary else io.TextIOWrapper(buffered, encoding="utf-8", newline="")

    def place(self) -> list[Path]:
        """Rename every temporary file into place; returns the final paths."""
        placed = []
        for temporary, final in self._staged:
            try:
                _rename(temporary, final, force=self.force)
            except FileExistsError:
                raise FileProblem(f"{final} appeared while it was being written; "
                                  "nothing was replaced (give --force to replace it)") from None
            except OSError as exc:
                raise FileProblem(f"cannot write {final} ({exc.strerror or exc})") from None
            placed.append(final)
        for folder in {final.parent for _, final in self._staged}:
            _sync_folder(folder)
        self._staged = []
        return placed

    def discard(self) -> None:
        for temporary, _final in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged = []

    def __enter__(self) -> PrivateFiles:
        return self

    def __exit__(self, *_exc) -> None:
        self.discard()  # whatever was not placed


class _Synced(io.FileIO):
    """A file whose close first flushes it to the disk (fsync)."""

    def close(self) -> None:
        if self.closed:
            return
        try:
            os.fsync(self.fileno())
        finally:
            super().close()


def _rename(temporary: Path, final: Path, *, force: bool) -> None:
    if force:
        if final.is_symlink():
            final.unlink()  # the link goes, never what it points to
        os.replace(temporary, final)
        return
    try:
        os.link(temporary, final)  # fails if the name is taken: atomic "create only"
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network and FAT file systems)
        if final.exists() or final.is_symlink():
            raise FileExistsError(final) from None
        os.replace(temporary, final)
        return
    temporary.unlink()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_private(path: str | os.PathLike[str], data: bytes, *, force: bool = False, before_placing=None) -> Path:
    """Write `data` to `path` (see the module docstring); `before_placing()`
    (e.g. the audit event, committed) runs once the file is on disk and before
    it takes its name: if it fails, no file is left."""
    with PrivateFiles(force=force) as out:
        out.claim(path)
        try:
            with out.open(path, binary=True) as fh:
                fh.write(data)
        except OSError as exc:
            raise FileProblem(f"cannot write {path} ({exc.strerror or exc}); nothing was written") from None
        if before_placing is not None:
            before_placing()
        return out.place()[0]
