"""Writes a log line, a progress and a result whose strings hold bytes that are not UTF-8 (Latin-1 text)."""
import sys

for line in (b'{"log":"Z\xfcrich"}', b'{"progress":{"note":"caf\xe9"}}', b'{"result":{"city":"Z\xfcrich"}}'):
    sys.stdout.buffer.write(line + b"\n")
sys.stdout.buffer.flush()
