"""Messages on the bus: the envelope, the bus itself, the outbox, the consumer contract."""
