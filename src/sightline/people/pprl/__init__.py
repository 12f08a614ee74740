"""Encoded person records (docs/pprl.md): what an agency that cannot send identifiers sent instead.

A Django app of its own (label ``pprl``) inside the people layer, so that imports and linkage can use
it; ``sightline.pprl`` itself stays free of Django and the domains, as it runs on the agency's machine.
"""
