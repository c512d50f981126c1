"""One measure of how far a backup or an import has got, for bars and progress lines."""

from partida.archive.writer import Progress

# What one row weighs against one byte of attachment: about its size in the file.
ROW_WEIGHT = 200


def work(progress: Progress) -> tuple[int, int]:
    """(done, total), weighing rows against bytes so that neither stalls the bar."""
    done = progress.rows_done * ROW_WEIGHT + progress.bytes_done
    total = progress.rows_total * ROW_WEIGHT + progress.bytes_total
    return done, max(total, done)
