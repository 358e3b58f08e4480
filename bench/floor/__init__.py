"""The floor: the least one post can cost on Chorus's own stack, with none of its work.

Two processes stand in for ingest and router, built from the parts the design mandates and
nothing else: FastAPI under uvicorn (uvloop, httptools), SQLAlchemy on the same SQLite engine
the services use, aiokafka on the same embedded broker. Per post they do only what
every post must have done to it: one HTTP request carries it in, one transaction records it
durably (its id, for dedup), one produce hands it to the posts topic, one consumer reads it,
one transaction records its case, one produce publishes ``case.assigned``. No validation, no
enrichment, no rules, no outbox, no metrics, no auth. Driven by the same load generator and
read by the same case watcher as the real system, its figures say how much of the targets
the stack itself leaves room for, and how far Chorus's own work is from that floor.
"""
