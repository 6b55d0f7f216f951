"""A chain the ledger talks to, and signing and sending transactions to it."""
