"""Small pieces every domain may use: progress bars and domain errors. Imports no other app."""
