"""Allow ``python -m kiosk`` as well as the ``kiosk`` console script."""

import sys

from kiosk.program import run

sys.exit(run())
