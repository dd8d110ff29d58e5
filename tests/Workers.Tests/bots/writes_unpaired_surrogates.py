"""Writes a log line, an error and a result whose strings escape half of a surrogate pair."""
import json
import sys

for message in ({"log": "half a pair: \ud800"}, {"progress": {"note": "\udc00"}}, {"result": {"text": "\ud800"}}):
    sys.stdout.write(json.dumps(message) + "\n")
sys.stdout.flush()
