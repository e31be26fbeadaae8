"""Household budgets: categories (data per country), lines, totals and the reasonableness
check against reference budgets."""
