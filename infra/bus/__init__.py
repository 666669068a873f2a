"""The message bus: the local Kafka-protocol broker, the relay from the event store to Kafka,
and the consumer plumbing (inbox, dead letters)."""
