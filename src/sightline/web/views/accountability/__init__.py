"""Accountability pages: response plans (``plans``), recommendations and actions (``actions``), evidence,
live indicators, resources, community engagement, and protected concerns about handling (``protected``).

Views parse forms, check the role and call ``sightline.accountability`` services and selectors; every
rule lives in the services. None of these pages shows a person's record: board members see them all
(aggregate figures and plan progress) and nothing else.
"""
