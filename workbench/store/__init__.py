"""The encrypted case store: key slots, the SQLCipher database, migrations and audit."""
