"""The reference hub: one place many kiosks send minimal visit records to.

It keeps each visit once (idempotency keys), gives every kiosk of a site one on-site list, one
host directory and one deny list, and deletes every record at its own ``purge_after``. It holds no
state of its own outside the database, so several hub processes can share one PostgreSQL.
Everything here needs the ``hub`` extra (``pip install 'lobby-kiosk[hub]'``); a kiosk never
imports it.
"""
