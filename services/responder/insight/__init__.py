"""Insights: aggregates kept current from the event stream, their API, pages and digest."""
