"""Prowler's local dashboard (the Dash app ``prowler dashboard`` runs) on 127.0.0.1 and a chosen port.

    python tests/prowler/dashboard_server.py PORT      # run from the folder that holds output/

``prowler dashboard`` always listens on port 11666 and reads ``./output`` and ``./output/compliance``
from the working directory; this imports the same app object and serves it on the port given, so tests
on a shared machine never collide. Prowler's code is used as it is.
"""

from __future__ import annotations

import sys


def main() -> None:
    port = int(sys.argv[1])
    from dashboard.__main__ import dashboard  # builds the app from ./output, as `prowler dashboard` does

    dashboard.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
