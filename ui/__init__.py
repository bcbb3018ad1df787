"""The PySide6 kiosk: screens, the check-in flow and the application wiring.

The only package that imports Qt. It receives core objects (config, store, services, printer)
built once in ``ui.app`` and never reaches for globals.
"""
