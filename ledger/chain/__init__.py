"""A chain the ledger talks to, and signing and sending transactions to it.

- `base`: the `Chain` interface (identity and time, accounts, calls, sending, receipts, logs);
- `embedded`: the embedded chain, an in-process London EVM persisted in SQLite (`kvstore`);
- `rpc`: a member's geth node over JSON-RPC;
- `web3reads`: the reads both answer alike through web3;
- `transactions`: signing, nonces, fees and typed reverts for one account (`Transactor`).
"""
