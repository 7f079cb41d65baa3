r"""Ctrl-C that always stops a command: exit 130 within seconds, finished work kept.

Python turns SIGINT into ``KeyboardInterrupt`` at the next bytecode of the main thread. When that
bytecode belongs to a garbage-collection callback (Hypothesis registers one to time collections), the
exception is printed as ``Exception ignored in ...`` and dropped, and the run goes on: ``attnlab check
softmax_icl`` ignored Ctrl-C in 2 of 5 tries and exited 0. So while a command runs
(:func:`interrupts_handled`), the SIGINT handler raises ``KeyboardInterrupt`` *and* starts a watchdog
thread that raises it again every ``REPEAT_S`` seconds until the command acknowledges it
(:func:`acknowledge_interrupt`, called where the interrupt is caught). A command that does not get
there within ``GIVE_UP_S`` (stuck in a long C call) is ended with exit 130. Nothing is lost by that:
stored cells are committed transactions and the claims file is replaced atomically.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import sys
import threading
import time

__all__ = ["interrupts_handled", "acknowledge_interrupt", "EXIT_INTERRUPTED", "REPEAT_S", "GIVE_UP_S"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process ended by Ctrl-C
REPEAT_S = 0.5
GIVE_UP_S = 5.0

_interrupted = threading.Event()
_acknowledged = threading.Event()


def _watchdog() -> None:
    deadline = time.monotonic() + GIVE_UP_S
    while not _acknowledged.wait(REPEAT_S):
        if time.monotonic() > deadline:
            sys.stderr.write("attnlab: interrupted; stopped without cleanup (stored cells are kept)\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        _thread.interrupt_main(signal.SIGINT)  # again: the first one may have been swallowed


def _handler(signum, frame) -> None:
    if _acknowledged.is_set():
        return  # a late poke of the watchdog; the command is already stopping
    if not _interrupted.is_set():
        _interrupted.set()
        threading.Thread(target=_watchdog, name="attnlab-interrupt-watchdog", daemon=True).start()
    raise KeyboardInterrupt


def acknowledge_interrupt() -> None:
    """Say that the ``KeyboardInterrupt`` has been caught: the watchdog stops raising it again."""
    if _interrupted.is_set():
        _acknowledged.set()


@contextlib.contextmanager
def interrupts_handled():
    """Install the SIGINT handler for the duration of a command (main thread only), then restore the old one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _interrupted.clear()
    _acknowledged.clear()
    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        _acknowledged.set()  # stops a running watchdog
        signal.signal(signal.SIGINT, previous)
