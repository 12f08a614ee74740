"""Accounts and access: agencies, users, roles, the permission matrix, break-glass."""
