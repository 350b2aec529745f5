"""Loaded by every Python process of a profiled benchmark run (``bot.bench --profile``)."""

try:
    from bot import profiling

    profiling.start()
except Exception:  # a profiler must never stop the product from starting
    pass
