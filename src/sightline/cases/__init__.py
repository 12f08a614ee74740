"""Case work: concerns, triage, screening, plans, missing episodes, placements, investigations."""
