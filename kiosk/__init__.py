"""Lobby Kiosk core: everything that is not Qt.

Nothing in this package imports PySide6; the UI (``ui``) and the printer backends (``printers``)
sit on top of it and receive its objects in their constructors.
"""

__version__ = "0.1.0"
