"""Analysts' pages, one module each: ``alerts`` (the ranked list and one alert), ``networks`` (the
groups and the network view), ``link_reviews`` (the queue and one pair), ``linkage`` (a person's
linkage), with their ``forms`` and the match-weight ``waterfall`` chart.

Views parse input and call ``sightline.intelligence.selectors``, which decide what the user may see
and ledger what is shown (the same calls the API makes), and the intelligence and linkage services.
"""
