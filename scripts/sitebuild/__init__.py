"""Docs build glue: everything between the `calculators` package and MkDocs. Not part of the package."""
