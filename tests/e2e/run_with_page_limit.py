"""Run ``main.py`` (the real CLI) with every SQLite connection capped at ``DG_MAX_PAGES`` pages.

``PRAGMA max_page_count`` makes SQLite answer a write that needs more pages with SQLITE_FULL,
"database or disk is full": the same error as a full disk, without needing a tiny filesystem.
Usage: ``python run_with_page_limit.py /path/to/main.py ARGS...``.
"""

import os
import runpy
import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

LIMIT = int(os.environ["DG_MAX_PAGES"])


@event.listens_for(Engine, "connect")
def _cap(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA max_page_count = {LIMIT}")
    cur.close()


main = os.path.abspath(sys.argv[1])
sys.argv = [main, *sys.argv[2:]]
sys.path.insert(0, os.path.dirname(main))
runpy.run_path(main, run_name="__main__")
