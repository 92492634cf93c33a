"""Full-text search over any domain's records, by the database's own engine (see index.py and text.py).

A domain indexes `Document`s into its `SearchIndex("<domain>")` (table `search_<domain>`, created by a migration
here with `create_index_table`), combines `match_sql()` with its own filters for counts and facets, and asks
`top()` for the best results. Ranking by meaning (embeddings) is meant to join `top()` later.
"""
