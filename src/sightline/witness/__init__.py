"""A transparency-log witness and its client (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature).

Each statutory partner runs ``sightline witness serve`` on its own machine with its own key. The
witness remembers the latest checkpoint it cosigned for the ledger and cosigns a new one only when
shown a valid consistency proof from it, so no one, the log's operator included, can get a
rewritten or forked history cosigned by an honest witness. Needs no Django and no database.
"""
