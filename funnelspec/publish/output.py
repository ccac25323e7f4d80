"""Writing generated files: only inside the output directory, atomically.

``funnelspec docs`` owns its output directory. It writes a manifest file,
``.funnelspec-docs``, listing the files it generated. A later run into the same
directory replaces those files and deletes the ones it no longer generates;
it never touches any other file there. A directory that is not empty and has
no manifest was not made by funnelspec, so it is rejected unless the user
passes ``--force``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from funnelspec.errors import UsageError

MANIFEST = ".funnelspec-docs"
_MANIFEST_HEADER = (
    "# Written by funnelspec docs. The files below are replaced or deleted on\n"
    "# the next run into this directory; other files are left alone.\n"
)
#: Names funnelspec docs generates: lowercase letters, digits and hyphens,
#: with a .md, .html or .svg suffix.
_GENERATED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(md|html|svg)$")


def write_file(path: Path, content: str | bytes) -> None:
    """Replace path with content atomically.

    The content goes to a temporary file in the same directory, which then
    replaces path. A symbolic link at path is replaced by the file, so the
    write never follows the link out of the directory.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prepare_output_directory(directory: Path, force: bool) -> list[str]:
    """Create or check the output directory; return the files it generated before.

    Raises UsageError for a path that is not a directory, and for a directory
    that is not empty and has no manifest, unless force is set.
    """
    if directory.exists() and not directory.is_dir():
        raise UsageError(
            f"{directory}: output path is not a directory; choose a directory with -o"
        )
    if not directory.exists():
        try:
            directory.mkdir(parents=True)
        except OSError as exc:
            raise UsageError(
                f"{directory}: cannot create the output directory ({exc.strerror})"
            ) from None
        return []
    manifest = directory / MANIFEST
    if manifest.is_file() and not manifest.is_symlink():
        previous = read_manifest(manifest)
        check_not_directories(directory, previous)
        return previous
    if any(directory.iterdir()) and not force:
        raise UsageError(
            f"{directory}: directory is not empty and was not made by funnelspec "
            f"docs (no {MANIFEST} file); choose a new or empty directory, "
            "or pass --force to write into it"
        )
    return []


def read_manifest(manifest: Path) -> list[str]:
    """Return the generated file names a manifest lists, ignoring any other line."""
    names: list[str] = []
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        name = line.strip()
        if _GENERATED_NAME.match(name):
            names.append(name)
    return names


def check_not_directories(directory: Path, names: list[str]) -> None:
    """Raise UsageError when a file to replace or delete is a directory.

    funnelspec never deletes a directory, so a generated name that is now a
    directory is left for the user to move.
    """
    for name in names:
        path = directory / name
        if path.is_dir() and not path.is_symlink():
            raise UsageError(
                f"{path}: is a directory, but funnelspec docs writes or deletes a "
                "file of that name; move or remove the directory and run again"
            )


def finish_output_directory(
    directory: Path, written: list[str], previous: list[str]
) -> None:
    """Delete the previous run's files that this run did not write; list the new."""
    for name in sorted(set(previous) - set(written)):
        (directory / name).unlink(missing_ok=True)
    lines = "".join(f"{name}\n" for name in sorted(written))
    write_file(directory / MANIFEST, _MANIFEST_HEADER + lines)


def check_generated_name(name: str) -> str:
    """Return name if funnelspec may generate it; raise ValueError otherwise."""
    if not _GENERATED_NAME.match(name):
        raise ValueError(f"{name!r} is not a name funnelspec docs generates")
    return name
