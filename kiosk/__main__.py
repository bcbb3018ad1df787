"""Allow ``python -m kiosk`` as well as the ``kiosk`` console script."""

import sys

from kiosk.cli import run

sys.exit(run())
