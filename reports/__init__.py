"""Statements and workbooks: ``connect_books.reports.<name>``."""
