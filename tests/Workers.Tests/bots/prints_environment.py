"""Reports every environment variable it can see."""
import json
import os

print(json.dumps({"result": {"environment": dict(os.environ), "cwd": os.getcwd()}}), flush=True)
