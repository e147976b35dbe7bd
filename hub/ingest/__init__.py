"""MQTT ingest: verify, validate, deduplicate and commit kiosk events, then ack them."""
