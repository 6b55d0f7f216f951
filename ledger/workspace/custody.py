"""Custody of transient documents' content keys: the author's member keeps each key and hands it
only to an entitled reader, logging every request.

A transient document (an appraisal, a photo, call notes) is sealed without its key
(`storage.custody`); the key goes to the custodian, the author's member. A reader asks the
custodian, which checks on chain (`DocumentRetention.refusal`) that the reader may read the
document now, logs the request in its hash-chained access log whether granted or refused, and
returns the key wrapped for the reader's document key. Once the document is erased the custodian
deletes the key, and no copy of the envelope can be opened again.

`RemoteCustody` asks each member's key service over HTTP (a network). `LocalCustody` keeps every
custodian's vault in the profile (the embedded sandbox): whoever holds the profile's passphrase holds
every custodian's vault key, so it shows the flow and the trail, not the separation of custodians.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path

from ...errors import AccessRefused, UnknownCustodian
from ...storage import document_key, load_public_key
from ...storage.custodian import KeyRequest, KeyServiceClient
from ...storage.custody import unwrap_key, wrap_key
from ...storage.keys import vault_key
from ...storage.vault import KeyVault
from .accounts import AccountBook

__all__ = ["Custody", "Entitlement", "LocalCustody", "RemoteCustody"]

#: Decides whether a reader (an address) may have a document's (a CID's) key now: None if it may,
#: else why not, on one line (see `DocumentRetention.refusal`).
Entitlement = Callable[[str, str], str | None]


class Custody(ABC):
    """Where the content keys of transient documents are kept, and asked for."""

    @abstractmethod
    def deposit(self, custodian: str, cid: str, content_key: bytes, *, depositor: str) -> None:
        """Hands a new document's content key to its custodian.

        Args:
            custodian: The member that keeps it (the author's).
            cid: The document's CID.
            content_key: Its content key.
            depositor: The name of the profile account that anchors the document.

        Raises:
            CustodianUnreachable: If the custodian's key service does not answer.
            KeyServiceError: If the custodian refuses the key.
        """

    @abstractmethod
    def content_key(self, custodian: str, cid: str, *, reader: str, purpose: str) -> bytes:
        """Asks a document's custodian for its content key, for a reader and a purpose (logged).

        Args:
            custodian: The member named in the document's envelope.
            cid: The document's CID.
            reader: The name of the profile account that reads.
            purpose: Why it reads, as the access log keeps it.

        Returns:
            The content key.

        Raises:
            AccessRefused, KeyErased, KeyNotHeld: If the custodian refuses (and logged it).
            CustodianUnreachable: If the custodian's key service does not answer.
            UnknownCustodian: If the profile does not know where the custodian is.
        """

    def erase(self, cid: str, *, reason: str) -> bool:
        """Destroys the keys of an erased document that this custody keeps itself (the sandbox's
        vaults); a network's key services destroy their own. Returns whether one was held."""
        return False

    def close(self) -> None:
        """Releases what the custody holds open (vault files); nothing by default."""


class LocalCustody(Custody):
    """Every custodian's vault as a file of the profile (keys/CUSTODIAN.sqlite): the sandbox."""

    def __init__(self, root: Path, accounts: AccountBook, entitlement: Entitlement,
                 members: Callable[[str], bool]) -> None:
        """Opens no vault yet.

        Args:
            root: The profile's directory.
            accounts: The profile's accounts: custodians and readers alike.
            entitlement: The rule on chain (see `Entitlement`).
            members: Tells whether an address holds a role of the registry: others are refused
                and not logged, as a key service refuses them.
        """
        self._root = Path(root) / "keys"
        self._accounts = accounts
        self._entitlement = entitlement
        self._members = members
        self._vaults: dict[str, KeyVault] = {}

    def vault(self, custodian: str) -> KeyVault:
        """Returns a custodian's vault, opened with its vault key (derived from its account key).

        Raises:
            UnknownAccount, BadPassphrase: If the custodian's account cannot be unlocked.
        """
        if custodian not in self._vaults:
            key = vault_key(bytes(self._accounts.unlock(custodian).key))
            self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._vaults[custodian] = KeyVault(self._root / f"{custodian}.sqlite", key)
        return self._vaults[custodian]

    def custodians(self) -> list[str]:
        """Returns the custodians with a vault in the profile."""
        return sorted(p.stem for p in self._root.glob("*.sqlite")) if self._root.exists() else []

    def deposit(self, custodian: str, cid: str, content_key: bytes, *, depositor: str) -> None:
        """Keeps the key in the custodian's vault (see `Custody.deposit`)."""
        self.vault(custodian).deposit(cid, content_key, depositor=self._accounts.get(depositor).address)

    def content_key(self, custodian: str, cid: str, *, reader: str, purpose: str) -> bytes:
        """Releases the key from the custodian's vault to an entitled reader (see `Custody.content_key`)."""
        address = self._accounts.get(reader).address
        if not self._members(address):
            raise AccessRefused("it holds no role of the registry: only the consortium's members' accounts ask for keys",
                                cid=cid, reader=address)
        return self.vault(custodian).release(cid, reader=address, purpose=purpose, request_id=secrets.token_hex(16),
                                             check=lambda: self._entitlement(address, cid))

    def erase(self, cid: str, *, reason: str) -> bool:
        """Destroys the document's key in every vault of the profile (see `Custody.erase`)."""
        held = False
        for custodian in self.custodians():
            held = self.vault(custodian).erase(cid, reason=reason) or held
        return held

    def close(self) -> None:
        """Closes the vaults opened."""
        for vault in self._vaults.values():
            vault.close()
        self._vaults = {}


class RemoteCustody(Custody):
    """Each member's key service, over HTTP: a network."""

    def __init__(self, services: Mapping[str, str], accounts: AccountBook, *, chain_id: int,
                 timeout: float = 10.0) -> None:
        """Knows where each custodian's key service listens; connects on first use.

        Args:
            services: Each member's key service URL, by member name.
            accounts: The profile's accounts (the readers and depositors) and contacts.
            chain_id: The chain the requests are for (a request for another chain is refused).
            timeout: Seconds to wait for a key service's answer.
        """
        self._services = dict(services)
        self._accounts = accounts
        self._chain_id = chain_id
        self._timeout = timeout

    def _client(self, custodian: str) -> KeyServiceClient:
        url = self._services.get(custodian)
        if url is None:
            raise UnknownCustodian(custodian, sorted(self._services))
        return KeyServiceClient(url, custodian=custodian, timeout=self._timeout)

    def deposit(self, custodian: str, cid: str, content_key: bytes, *, depositor: str) -> None:
        """Wraps the key for the custodian's document key and hands it over, signed by the
        depositor's account (see `Custody.deposit`)."""
        account = self._accounts.unlock(depositor)
        custodian_key = load_public_key(self._accounts.get(custodian).document_key)
        request = KeyRequest.deposit(custodian=custodian, chain_id=self._chain_id, cid=cid,
                                     wrapped_key=wrap_key(content_key, custodian_key), depositor=account.address,
                                     depositor_key=document_key(bytes(account.key)).public_key())
        client = self._client(custodian)
        try:
            client.deposit(request.sign(account))
        finally:
            client.close()

    def content_key(self, custodian: str, cid: str, *, reader: str, purpose: str) -> bytes:
        """Asks the custodian's key service, signed by the reader's account (see `Custody.content_key`)."""
        account = self._accounts.unlock(reader)
        own_key = document_key(bytes(account.key))
        request = KeyRequest.create(custodian=custodian, chain_id=self._chain_id, cid=cid, purpose=purpose,
                                    reader=account.address, reader_key=own_key.public_key())
        client = self._client(custodian)
        try:
            wrapped = client.request_key(request.sign(account))
        finally:
            client.close()
        return unwrap_key(wrapped, own_key)
