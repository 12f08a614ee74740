"""Intelligence and networks: the graph of people, places, vehicles and phones, and ranked alerts."""
