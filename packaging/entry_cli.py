"""Entry point of the packaged headless `crmsync` command."""
import sys

from crmsync_gui.cli import main

sys.exit(main())
