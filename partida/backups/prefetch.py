"""Reading ahead in a thread of its own, so that the database works while Python writes.

A backup alternates between asking the database for rows (C code that releases the GIL) and
hashing, compressing and spooling them (also C code that releases it). Run one side in a
thread and the two overlap on a second core.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL_SECONDS = 0.1


def read_ahead(produce: Callable[[], Iterator[T]], depth: int = 4) -> Iterator[T]:
    """Yield what ``produce()`` yields, computed in a background thread up to ``depth`` ahead.

    An exception in the thread is raised here. Closing this iterator early (or an exception
    in the consumer) stops the thread and waits for it, so the producer's resources (a
    database cursor) are released before the caller goes on.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            with closing(produce()) as produced:
                for item in produced:
                    if not offer((True, item)):
                        return
            offer((True, _END))
        except BaseException as error:  # handed to the consumer, which raises it
            offer((False, error))

    thread = threading.Thread(target=run, name="partida-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = items.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()
