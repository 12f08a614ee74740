"""Agency extracts: validation and all-or-nothing import of multi-agency-extract/1, and exports."""
