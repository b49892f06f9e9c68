"""Beancount plugins enforcing the articles: ``plugin "connect_books.plugins.<name>"``."""
