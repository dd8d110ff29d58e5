"""Sleeps without ever reading its request, as a bot stuck before it gets to it."""
import time

while True:
    time.sleep(1)
