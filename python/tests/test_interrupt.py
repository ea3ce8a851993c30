"""The GIL is released during long calls, and Ctrl-C stops a long ensemble."""

import os
import signal
import threading
import time

import pytest

import escalation as esc


def test_ctrl_c_stops_a_long_ensemble(islamabad):
    # 10⁸ runs would take hours; SIGINT after 0.5 s must stop it promptly.
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        esc.montecarlo(islamabad, 100_000_000)
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 5, elapsed
    # The library is usable afterwards.
    assert esc.montecarlo(islamabad, 50)["runs"] == 50


def test_ctrl_c_stops_a_long_sweep(islamabad):
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        esc.sweep(islamabad, "spoilers.attribution=0:1:1000", runs=1_000_000)
    timer.join()
    assert time.monotonic() - start < 5


def test_the_gil_is_released(islamabad):
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.monotonic()
    esc.montecarlo(islamabad, 20_000, threads=1)
    elapsed = time.monotonic() - start
    done.set()
    t.join()
    # Python ran alongside: up to one tick per millisecond of the call
    # (none at all if the call held the GIL).
    assert elapsed > 0.05 and ticks > 0.1 * elapsed * 1000, (ticks, elapsed)
