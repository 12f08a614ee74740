"""The demo: a synthetic town imported, linked and analysed, with one account per role. At the edge."""
