"""Imported by the fork server of :mod:`sightline.core.child`: Django set up once, before any fork."""

import django

django.setup()
