"""Writing files atomically and making values JSON-safe."""
