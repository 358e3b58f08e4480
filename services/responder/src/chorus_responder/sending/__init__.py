"""Outbound adapters (one ``Sender`` per platform), the send worker and its bookkeeping."""
