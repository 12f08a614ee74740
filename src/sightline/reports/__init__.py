"""Reports: board report, public statistics with statistical disclosure control."""
