"""The one ``MetaData`` every hub table belongs to (its own module, so the tables can live in
several modules without importing each other)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
