"""Run one pipeline pass over the Outlook source in its own process (for the crash test).

``python crash_worker.py CONFIG crash``: the process kills itself (``os._exit(137)``, no
cleanup, no commit) the moment Graph has answered the first ``createReply`` with 201.
``python crash_worker.py CONFIG resume``: a normal pass; prints the outcome counts as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.config import load_config  # noqa: E402
from connectors.outlook.auth import GraphConnection  # noqa: E402
from jobs.bootstrap import bootstrap  # noqa: E402


def main() -> None:
    config, mode = sys.argv[1], sys.argv[2]
    if mode == "crash":
        original = GraphConnection.oauth_request

        def oauth_request(self, url, method, **kwargs):
            resp = original(self, url, method, **kwargs)
            if method == "post" and url.endswith(("/createReply", "/createReplyAll")) and resp.status_code == 201:
                os._exit(137)  # between Graph's answer and the database commit
            return resp

        GraphConnection.oauth_request = oauth_request
    rt = bootstrap(load_config(config))
    try:
        summary = rt.pipeline.run_source(rt.source("outlook:m365"))
        print(json.dumps(dict(summary.counts)))
    finally:
        rt.close()


if __name__ == "__main__":
    main()
