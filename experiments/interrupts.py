r"""Ctrl-C that always stops a command: exit 130 within seconds, finished work kept.

Python turns SIGINT into ``KeyboardInterrupt`` at the next bytecode of the main thread. When that
bytecode belongs to a garbage-collection callback (Hypothesis registers one to time collections), the
exception is printed as ``Exception ignored in ...`` and dropped, and the run goes on: ``attnlab check
softmax_icl`` ignored Ctrl-C in 2 of 5 tries and exited 0. So while a command runs
(:func:`interrupts_handled`), the SIGINT handler raises ``KeyboardInterrupt``, except inside a gc
callback, where it asks for a redelivery instead; a watchdog thread delivers the signal again
(``REDELIVER_S`` after such a request, every ``REPEAT_S`` seconds otherwise) until the command
acknowledges it (:func:`acknowledge_interrupt`, called where the interrupt is caught). An interrupt
swallowed elsewhere (a ``__del__``, a weakref callback) reaches ``sys.unraisablehook``, which does not
print it and also asks for a redelivery. A command that does not get
there within ``GIVE_UP_S`` (stuck in a long C call) is ended with exit 130. Nothing is lost by that:
stored cells are committed transactions and the claims file is replaced atomically.
"""

from __future__ import annotations

import _thread
import contextlib
import gc
import os
import signal
import sys
import threading
import time

__all__ = ["interrupts_handled", "acknowledge_interrupt", "EXIT_INTERRUPTED", "REPEAT_S", "REDELIVER_S",
           "GIVE_UP_S"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process ended by Ctrl-C
REPEAT_S = 0.5
REDELIVER_S = 0.01
GIVE_UP_S = 5.0

_interrupted = threading.Event()
_acknowledged = threading.Event()
_redeliver = threading.Event()


def _watchdog() -> None:
    deadline = time.monotonic() + GIVE_UP_S
    while not _acknowledged.is_set():
        if _redeliver.wait(REPEAT_S):
            _redeliver.clear()
            time.sleep(REDELIVER_S)
        if _acknowledged.is_set():
            return
        if time.monotonic() > deadline:
            sys.stderr.write("attnlab: interrupted; stopped without cleanup (stored cells are kept)\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        _thread.interrupt_main(signal.SIGINT)  # again: the first one may have been swallowed


def _in_gc_callback(frame) -> bool:
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _handler(signum, frame) -> None:
    if _acknowledged.is_set():
        return  # a late poke of the watchdog; the command is already stopping
    if not _interrupted.is_set():
        _interrupted.set()
        threading.Thread(target=_watchdog, name="attnlab-interrupt-watchdog", daemon=True).start()
    if _in_gc_callback(frame):
        _redeliver.set()  # raising here would be printed and dropped: the watchdog delivers it again
        return
    raise KeyboardInterrupt


def _unraisable(previous):
    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and not _acknowledged.is_set():
            _redeliver.set()  # swallowed where Python cannot raise: deliver it again
            return
        previous(unraisable)

    return hook


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
    _redeliver.clear()
    previous, previous_hook = signal.signal(signal.SIGINT, _handler), sys.unraisablehook
    sys.unraisablehook = _unraisable(previous_hook)
    try:
        yield
    finally:
        _acknowledged.set()  # stops a running watchdog
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook
