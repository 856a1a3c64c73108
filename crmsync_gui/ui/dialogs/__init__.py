"""The console's dialogs, one module each."""
