"""Privacy-preserving record linkage: encodings an agency makes of its own extract (docs/pprl.md).

    sightline pprl encode EXTRACT --secret-file F --salt AGREEMENT --out ENCODED

Keyed, hardened Bloom filters and digests replace the identifying columns; `similarity` gives the
Dice comparisons to link them. Imports nothing of the domains: it runs on the agency's machine.
"""
