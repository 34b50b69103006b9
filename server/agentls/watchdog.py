"""Exit when the editor that started the server is gone, even if nobody closes our stdin.

The LSP `initialize` request carries the client's `processId` so that a server can notice a
client that died without sending `exit`. pygls 2 records the id but never looks at it, and a
dead client's pipe can stay open (another child inherited it, or a wrapper script is still
alive), which leaves an orphaned server behind. This thread checks every couple of seconds that
the process still exists and ends the server (exit code 1, as for `exit` without `shutdown`)
when it does not.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0


def process_exists(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just not ours
    except OSError:
        return False
    return True


def _exit_now() -> None:
    # The protocol loop is blocked reading stdin in another thread, so a clean stop cannot be
    # requested from here; nothing the server holds needs saving, and logs are flushed per line.
    logging.shutdown()
    os._exit(1)


def watch_client_process(
    pid: int | None,
    on_gone: Callable[[], None] = _exit_now,
    poll_seconds: float = POLL_SECONDS,
    exists: Callable[[int], bool] = process_exists,
) -> threading.Thread | None:
    """Start a daemon thread that calls `on_gone` once `pid` no longer exists.

    Nothing is watched without a pid, on Windows (where signal 0 would terminate the process),
    or when the pid does not exist already at start: a client in another PID namespace (a
    container) sends an id that means nothing here, and must not make the server exit at once.
    """
    if pid is None or pid <= 0 or sys.platform == "win32":
        return None
    if not exists(pid):
        logger.warning("client process %d is not visible from here; not watching it", pid)
        return None

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if not exists(pid):
                logger.warning("client process %d is gone without an exit notification; exiting", pid)
                on_gone()
                return

    thread = threading.Thread(target=watch, name="agentls-client-watchdog", daemon=True)
    thread.start()
    return thread
