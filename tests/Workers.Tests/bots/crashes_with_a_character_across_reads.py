"""Dies after one write to its error output whose last line starts with a character split by an 8 KiB read."""
import os
import sys

# 8191 bytes, so the two-byte "ü" starts at the last byte of the first 8 KiB.
os.write(2, b"a" * 8190 + b"\n" + "über failed\n".encode())
sys.exit(3)
