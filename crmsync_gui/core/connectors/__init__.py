"""One module per protocol (exchange, pop3, imap, smtp). Only connectors talk to mail servers.

Each connector turns its protocol's errors into core.errors.TransientError / PermanentError.
"""
