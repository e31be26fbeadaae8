"""Anonymised statistics for funders: predefined aggregate tables, disclosure control, and
CSV, XLSX and PDF exports. Only counts and sums leave the program, never rows about people."""
