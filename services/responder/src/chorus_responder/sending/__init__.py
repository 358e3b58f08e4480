"""The send worker and its bookkeeping; the senders themselves are in ``chorus_platforms``."""
