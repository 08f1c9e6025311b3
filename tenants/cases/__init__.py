"""Cases: starting, acting on and reading cases; the case store; inboxes; attachments."""
