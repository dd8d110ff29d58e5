"""Writes a line that names a member twice, then its result."""
import sys

sys.stdin.read()
print('{"log":"first","log":"second"}', flush=True)
print('{"progress":50,"progress":60}', flush=True)
print('{"result":{"ok":true}}', flush=True)
