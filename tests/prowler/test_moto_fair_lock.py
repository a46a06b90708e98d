"""The lock our moto server serialises requests with lets them in the order they came."""

from __future__ import annotations

import threading
import time

from support_role.localaws.moto_iam import FairLock


def _wait_until(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_waiting_threads_get_the_lock_in_the_order_they_came() -> None:
    lock = FairLock()
    order: list[int] = []
    threads: list[threading.Thread] = []

    def request(number: int) -> None:
        with lock:
            order.append(number)

    with lock:
        for number in range(24):
            thread = threading.Thread(target=request, args=(number,))
            thread.start()
            threads.append(thread)
            _wait_until(lambda n=number: lock.waiting() == n + 1)  # queued before the next one starts
    for thread in threads:
        thread.join(timeout=60)
    assert order == list(range(24))


def test_the_holder_may_take_it_again() -> None:
    lock = FairLock()
    with lock, lock:
        assert lock.waiting() == 0
    done: list[bool] = []
    thread = threading.Thread(target=lambda: done.append(bool(lock.__enter__()) and lock.__exit__() is None))
    thread.start()
    thread.join(timeout=60)
    assert done == [True]
