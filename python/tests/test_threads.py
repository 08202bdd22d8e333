"""The GIL is released during fit and sample; Ctrl-C cancels a fit."""
import os
import signal
import threading
import time

import pytest

import meg


def spins_while(fn):
    """How many Python loop iterations the calling thread gets while fn runs in another thread."""
    t = threading.Thread(target=fn)
    t.start()
    n = 0
    while t.is_alive():
        n += 1
    t.join()
    return n


def test_gil_released_during_sample(car_model):
    assert spins_while(lambda: car_model.sample_csv(300_000, seed=1)) > 1000


def test_gil_released_during_fit(adult):
    assert spins_while(lambda: meg.MEG(seed=0, threads=2).fit(adult)) > 1000


def test_ctrl_c_cancels_fit(adult):
    # Python's own Ctrl-C handler, whatever the launcher left: a shell's background job
    # starts with SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_cancels_fit(adult)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_cancels_fit(adult):
    sent, events = [], []

    def progress(p):
        events.append(p)
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C
            time.sleep(0.3)  # let the waiting thread see it

    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        meg.MEG(seed=0, threads=1, progress=progress).fit(adult)
    assert sent
    # Stopped early, not raised after a finished fit.
    assert not any(e["stage"] == "refit" and e["units_done"] == e["units_total"] for e in events)
    assert len(events) < 5
    assert time.perf_counter() - start < 30
