"""The console: the only package that imports Qt (PySide6, qasync)."""
