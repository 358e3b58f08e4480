"""The event contract: payload schemas, the registry of event types, topic names, AsyncAPI."""
