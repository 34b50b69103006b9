"""The client-process watchdog on its own: what it watches, and that it fires once the process is gone."""

from __future__ import annotations

import os
import threading

import pytest

from agentls.watchdog import process_exists, watch_client_process


def test_nothing_to_watch_without_a_usable_pid() -> None:
    assert watch_client_process(None) is None
    assert watch_client_process(0) is None
    assert watch_client_process(-4) is None


def test_a_pid_that_does_not_exist_at_start_is_not_watched(caplog: pytest.LogCaptureFixture) -> None:
    fired = threading.Event()
    assert watch_client_process(4242, fired.set, 0.01, exists=lambda pid: False) is None
    assert "not visible" in caplog.text
    assert not fired.is_set()


def test_fires_once_the_process_is_gone() -> None:
    answers = iter([True, True, True, False])
    fired = threading.Event()
    thread = watch_client_process(4242, fired.set, 0.001, exists=lambda pid: next(answers))
    assert thread is not None and thread.daemon
    assert fired.wait(10)
    thread.join(10)
    assert not thread.is_alive()


def test_process_exists_for_this_process_and_not_for_an_ended_one() -> None:
    import subprocess
    import sys

    assert process_exists(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_exists(child.pid)
