"""Domain rules: pure functions over records, no I/O."""
