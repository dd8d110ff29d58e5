"""reports_pid, served by hosts that its manifest recycles after three jobs."""
import json
import sys

from reports_pid import handle

if __name__ == "__main__":
    handle(json.loads(sys.stdin.read() or "{}"), lambda message: print(json.dumps(message), flush=True))
