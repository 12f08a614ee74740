"""Duties to share, recorded: sharing decisions about a child, and the multi-agency workspace for a
section 47 enquiry."""
