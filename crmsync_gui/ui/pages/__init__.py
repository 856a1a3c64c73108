"""The console's pages, in navigation order."""
