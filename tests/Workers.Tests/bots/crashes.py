"""Dies with an exit code before writing a result."""
import sys

sys.stderr.write("something broke\n")
sys.exit(7)
