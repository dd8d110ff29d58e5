"""Writes its result at once, then stays on (a cleanup that hangs) without exiting."""
import sys
import time

sys.stdout.write('{"result":{"answered":true}}\n')
sys.stdout.flush()
time.sleep(3600)
