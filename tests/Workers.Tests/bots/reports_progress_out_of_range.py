"""Reports progress below 0, in range, above 100 and as values that are no number, then its result."""
import sys

sys.stdin.read()
for line in ('{"progress":-5}', '{"progress":40}', '{"progress":150}', '{"progress":"60%"}', '{"progress":true}',
             '{"progress":{"step":2}}', '{"progress":12.5}', '{"progress":1e400}'):
    print(line, flush=True)
print('{"result":{"ok":true}}', flush=True)
