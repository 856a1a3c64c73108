"""Entry point of the packaged console (PyInstaller runs this file as __main__)."""
import sys

from crmsync_gui.ui.app import main

sys.exit(main())
