"""People and linkage: source records as agencies sent them, and the people they are linked into."""
