"""One member's working directory: profile, accounts, sessions, documents, watch, import, proof files."""
