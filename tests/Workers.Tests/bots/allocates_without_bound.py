"""Allocates memory until something stops it."""
chunks = []
while True:
    chunks.append(bytearray(50 * 1024 * 1024))
