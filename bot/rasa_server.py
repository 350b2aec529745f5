"""Start the Rasa server the way the product needs it, with what ``rasa run`` cannot do alone.

    RASA_TOKEN=… python -m bot.rasa_server run --enable-api -i 127.0.0.1 -p 5005 -m model.tar.gz …

Takes the same arguments as ``rasa`` (bot.stack and bot.scaled pass them) and adds:

* The token comes from ``RASA_TOKEN`` in the environment and is handed to Rasa inside this
  process, never as ``--auth-token <token>`` on the command line, where ``ps`` and
  /proc/<pid>/cmdline show it to every user of the machine.
* The HTTP API accepts the token as ``Authorization: Bearer <token>`` as well as ``?token=``, so
  the product's own callers keep it out of URLs (and out of any proxy's access log), and both
  are compared in constant time (Rasa 3.6 compares with ``==``, rasa/server.py).
* ``PUT /model`` and ``DELETE /model`` are refused (403) even with the token: loading a model
  from a path or URL on the server is an operator's step (``make run`` trains and restarts), and
  a leaked token must not turn into "run this model from this URL".
"""

from __future__ import annotations

import hmac
import os
import secrets
import sys
from functools import wraps
from inspect import isawaitable
from typing import List, Optional

# Method and path of the HTTP API routes this product never serves.
REFUSED_ROUTES = {("PUT", "/model"), ("DELETE", "/model")}


def token_from_request(request) -> Optional[str]:
    """The token a caller sent: ``Authorization: Bearer <token>``, else ``?token=``."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.args.get("token")


def token_matches(provided: Optional[str], token: Optional[str]) -> bool:
    """Constant-time comparison; False when either is missing."""
    if not provided or not token:
        return False
    return hmac.compare_digest(provided.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def install() -> None:
    """Replace Rasa's token check and guard its app; call before Rasa creates the app."""
    import rasa.server
    from sanic import response

    original_requires_auth = rasa.server.requires_auth
    original_create_app = rasa.server.create_app

    def requires_auth(app, token=None):
        # Rasa's own check stays behind ours for JWT (if configured) and for its 401/403
        # answers, but with a random token of its own: its `==` then never compares a guess
        # with the real token.
        fallback = original_requires_auth(app, secrets.token_urlsafe(32) if token is not None else None)

        def decorator(handler):
            refuse = fallback(handler)

            @wraps(handler)
            async def decorated(request, *args, **kwargs):
                if token is not None and token_matches(token_from_request(request), token):
                    result = handler(request, *args, **kwargs)
                    return await result if isawaitable(result) else result
                return await refuse(request, *args, **kwargs)

            return decorated

        return decorator

    def create_app(*args, **kwargs):
        app = original_create_app(*args, **kwargs)

        @app.middleware("request")
        async def refuse_model_changes(request):
            if (request.method, request.path.rstrip("/")) in REFUSED_ROUTES:
                return response.json({"status": "failure", "reason": "NotAllowed",
                                      "message": "This server does not load or unload models over HTTP."},
                                     status=403)
            return None

        return app

    rasa.server.requires_auth = requires_auth
    rasa.server.create_app = create_app


def rasa_arguments(argv: List[str], token: Optional[str]) -> List[str]:
    """The arguments for Rasa's own command line parser (in this process only)."""
    if "--auth-token" in argv:
        raise SystemExit("pass the token as RASA_TOKEN in the environment, not as --auth-token")
    return ["rasa", *argv, *(["--auth-token", token] if token else [])]


def main() -> None:
    token = os.environ.get("RASA_TOKEN") or None
    install()
    # Rasa's parser reads sys.argv; changing it here does not change /proc/<pid>/cmdline.
    sys.argv = rasa_arguments(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
