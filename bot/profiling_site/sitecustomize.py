"""Loaded by every Python process of a profiled benchmark run (``bot.bench --profile`` or
``--cprofile``)."""

try:
    from bot import profiling

    profiling.start()
    profiling.start_cprofile()
except Exception:  # a profiler must never stop the product from starting
    pass
