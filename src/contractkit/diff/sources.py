"""Where the two sides of a diff come from: a path, a loaded ``Contract``, or
``git:REF:path`` — the contract as it is at a commit, read from the repository in the
current directory without checking anything out.

For ``git:`` the contract's folder at ``REF`` is exported (contract files only) into a
temporary folder, so relative file ``$ref``s resolve as they did at that commit; file refs
may not leave the contract's folder anyway. Locations then name ``git:REF:path``.
"""

from __future__ import annotations

import io
import os
import posixpath
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractkit.contract.loader import load
from contractkit.contract.model import Contract
from contractkit.errors import ConfigError, ContractLoadError, Location

_CONTRACT_SUFFIXES = (".yaml", ".yml", ".json", ".graphql", ".gql", ".graphqls")
_GIT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Opened:
    """A loaded side of the diff; ``rename`` maps file names in its locations back to what
    the user wrote (the temporary folder of a ``git:`` source → ``git:REF:``)."""

    contract: Contract
    label: str
    rename: tuple[str, str] | None = None

    def location(self, location: Location | None) -> Location | None:
        if location is None or self.rename is None:
            return location
        prefix, replacement = self.rename
        if not location.file.startswith(prefix):
            return location
        file = replacement + location.file[len(prefix):].lstrip("/\\")
        return Location(file, location.line, location.column, location.pointer)


def open_contract(source: str | os.PathLike[str] | Contract, **load_options: Any) -> Opened:
    """One side of the diff; ``load_options`` are :func:`~contractkit.contract.loader.load`'s
    keywords (limits, remote refs), for a path or a ``git:`` source alike."""
    if isinstance(source, Contract):
        return Opened(source, source.source)
    text = os.fspath(source)
    if text.startswith("git:"):
        return _from_git(text, load_options)
    return Opened(load(text, **load_options), text)


def _from_git(spec: str, load_options: dict[str, Any]) -> Opened:
    ref, separator, path = spec[len("git:"):].partition(":")
    if not separator or not ref or not path:
        raise ConfigError(f"{spec}: expected git:REF:PATH, for example "
                          "git:origin/main:api/openapi.yaml")
    top = _git("rev-parse", "--show-toplevel",
               error=f"{spec}: not inside a git repository").strip()
    _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
         error=f"{spec}: {ref!r} is not a commit in this repository (git fetch it first?)")
    prefix = _git("rev-parse", "--show-prefix", error=f"{spec}: not inside a git repository")
    file = posixpath.normpath(posixpath.join(prefix.strip(), path))
    folder = posixpath.dirname(file)
    archive = _git_bytes("-C", top, "archive", "--format=tar", ref, "--", folder or ".",
                         error=f"{spec}: cannot read {folder or 'the repository'} at {ref}")
    with tempfile.TemporaryDirectory(prefix="contractkit-diff-") as scratch:
        root = Path(scratch).resolve()  # as the loader shows file names (macOS: /private)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            members = [m for m in tar.getmembers()
                       if m.isfile() and m.name.lower().endswith(_CONTRACT_SUFFIXES)]
            if hasattr(tarfile, "data_filter"):
                tar.extractall(root, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.10.12 has no filters; names are git's own
                tar.extractall(root, members=members)
        target = root / file
        if not target.is_file():
            raise ConfigError(f"{spec}: {file} does not exist at {ref}")
        shown = f"git:{ref}:{path}"
        try:
            contract = load(target, **load_options)
        except ContractLoadError as error:
            message = str(error).replace(str(target), shown)
            raise ContractLoadError(message.replace(str(root), f"git:{ref}:")) from None
    return Opened(contract, shown, (str(root), f"git:{ref}:"))


def exists_at(ref: str, path: str) -> bool:
    """Whether ``path`` (relative to the current folder) exists at git ``ref``."""
    try:
        _git("cat-file", "-e", f"{ref}:./{path}", error="")
    except ConfigError:
        return False
    return True


def _git(*arguments: str, error: str) -> str:
    return _git_bytes(*arguments, error=error).decode("utf-8", "replace")


def _git_bytes(*arguments: str, error: str) -> bytes:
    try:
        result = subprocess.run(["git", *arguments], capture_output=True, check=False,
                                timeout=_GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise ConfigError("git: command not found; git:REF:PATH inputs need git") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{error} (git timed out)") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(error + (f" ({detail[-1]})" if detail else ""))
    return result.stdout
