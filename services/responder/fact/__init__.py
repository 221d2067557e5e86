"""Seller facts: what the shop has stated and a reply may repeat (returns, sizes, manuals)."""
