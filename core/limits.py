"""Bounds shared by the API and the admin."""

# A search of more terms or characters is refused: each term is one more set of substring
# matches per search field, and a few hundred of them held PostgreSQL's planner for minutes.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 8
