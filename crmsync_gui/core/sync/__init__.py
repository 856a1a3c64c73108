"""The sync engine: scheduler, queues, throttles, mailbox jobs, tracking, outgoing send, ACT sync."""
