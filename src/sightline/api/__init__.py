"""The typed REST API (django-ninja), using the same services, selectors and permission checks."""
