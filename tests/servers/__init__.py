"""Real servers on loopback for tests: Dovecot (IMAP, POP3), aiosmtpd (SMTP), a throwaway TLS CA."""
