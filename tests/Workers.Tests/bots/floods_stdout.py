"""Writes far more output than any runner should keep, then a result."""
import sys

line = "x" * 1023 + "\n"
for _ in range(64 * 1024):
    sys.stdout.write(line)
sys.stdout.write('{"result":{"done":true}}\n')
