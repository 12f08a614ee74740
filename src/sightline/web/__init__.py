"""The GOV.UK web interface. Views call services and selectors; they hold no business rules."""
