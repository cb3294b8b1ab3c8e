"""``main.py serve``: run the review console with uvicorn.

``--local-login`` offers sign-in as a configured reviewer without an identity provider; it
refuses to start unless the bind host is a loopback address (``[console] host`` or
``--host``). The app answers only requests whose ``Host`` is the ``public_url`` host, the bind
host, ``localhost`` or ``127.0.0.1`` (400 otherwise: a DNS-rebinding page cannot reach the local
sign-in), and refuses unsafe requests from a foreign ``Origin`` (403; ``console/security.py``).
Exit codes as main.py: 2 bad config/usage, 4 storage unavailable.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agent.errors import DraftguardError, StorageError
from agent.exit_codes import ExitCode
from agent.terminal import config_path, fail, literal
from agent.terminal import err_console as err


def serve(
    ctx: typer.Context,
    local_login: Annotated[bool, typer.Option("--local-login", help="Offer sign-in as a configured reviewer without an identity provider (loopback only; for trying draftguard).")] = False,
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default: \\[console] host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: \\[console] port, 8080).")] = None,
) -> None:
    """Start the review console (web pages for reviewers and auditors) on \\[console] host:port."""
    import uvicorn

    from agent.config import load_config
    from console.app import create_app

    try:
        settings = load_config(config_path(ctx))
        updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
        if updates:
            console_cfg = settings.console.model_copy(update=updates)
            settings = settings.model_copy(update={"console": console_cfg})
        app = create_app(settings, local_login=local_login)
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    cfg = settings.console
    if local_login:
        err.print(literal(f"LOCAL SIGN-IN IS ON: anyone who can reach {cfg.base_url()} can sign in as a configured reviewer."), style="bold yellow")
    err.print(literal(f"review console on http://{cfg.host}:{cfg.port} (public URL {cfg.base_url()})"))
    uvicorn.run(app, host=cfg.host, port=cfg.port, log_level="warning", proxy_headers=False, server_header=False)
