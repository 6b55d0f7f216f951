"""Consortium networks on geth (Clique) and Kubo: genesis, member keys, node processes (issue 4)."""
