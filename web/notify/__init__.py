"""The person's notifications and their own notification settings."""
