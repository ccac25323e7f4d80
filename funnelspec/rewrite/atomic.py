"""Replace a file's contents atomically, keeping its permissions and owner."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from typing import IO

from funnelspec.errors import FunnelspecError

#: Test hook: seconds to sleep after writing half of the temporary file, so a
#: test can kill the process in the middle of a write. Unset in normal use.
PAUSE_ENV = "FUNNELSPEC_TEST_WRITE_PAUSE"


class WriteError(FunnelspecError):
    """A file that cannot be written."""


def write_atomic(path: str, data: bytes) -> None:
    """Write data to path through a temporary file in the same directory.

    The temporary file gets the original's permission bits (and its owner
    and group where the process may set them), is flushed to disk, then
    renamed over the original with os.replace. A reader, or a crash at any
    moment, sees either the whole old file or the whole new one. A symbolic
    link is kept: the file it points to is replaced. A hard link to the old
    file keeps the old contents. Raises WriteError.
    """
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    try:
        status = os.stat(target)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise WriteError(f"{path}: cannot write file ({exc.strerror})") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            _write(file, data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        with contextlib.suppress(PermissionError):
            # Only a privileged process may give a file to another user.
            os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise WriteError(f"{path}: cannot write file ({exc.strerror})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _write(file: IO[bytes], data: bytes) -> None:
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    if pause <= 0:
        file.write(data)
        return
    half = len(data) // 2
    file.write(data[:half])
    file.flush()
    time.sleep(pause)
    file.write(data[half:])


def _sync_directory(directory: str) -> None:
    # Flushes the rename itself to disk. Some file systems cannot open or
    # sync a directory; the rename has happened either way.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
