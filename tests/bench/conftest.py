import sys
from pathlib import Path

from dbfixtures import db  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # bench/ is scripts, not a package
