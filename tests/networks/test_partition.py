"""A partition of the 3-member sandbox: every node cut off from the others, then the links restored.

A node cut off from the majority of the sealers stops sealing (so no one builds a rival chain of
its own that the others would then refuse), `node status` says why it waits, and once the links are
back the nodes recover by themselves: the chain advances again, with one head on every node.
"""

from __future__ import annotations

import itertools
import time

from lienchain.networks import Network
from lienchain.networks.agent import STALL_PERIODS, SYNC_CYCLE
from lienchain.networks.ipc import ipc_call
from lienchain.networks.process import wait_for
from lienchain.networks.rpc import call, node_facts

from .conftest import Run


def _heads(net: Network) -> list[int]:
    facts = [node_facts(m.rpc_url) for m in net.members]
    return [f.block if f else -1 for f in facts]


#: geth redials a peer it dialled at most this long ago only once this passes (p2p/dial.go,
#: dialHistoryExpiration), so the links may take that long to come back.
REDIAL = 35.0


def recovery_bound(period: float) -> float:
    """How long the chain may take to move 3 blocks past a partition, at worst, with a margin of
    half again for a slow machine: the links come back, a sealer holds back up to two turns, a
    stall of rival blocks is noticed and mended, the dropped block is taken from a peer, 3 blocks."""
    return 1.5 * (REDIAL + 2 * max(SYNC_CYCLE, 2 * period) + 2 * STALL_PERIODS * period + SYNC_CYCLE + 3 * period)


def _diagnosis(net: Network) -> str:
    """The heads, the peers and sealers, and the end of each agent's log: what a failure needs."""
    lines = [f"heads {_heads(net)}"]
    for m in net.members:
        home = net.home(m.name)
        peers = len(ipc_call(home.ipc_path, "admin_peers"))
        head = call(m.rpc_url, [("eth_getBlockByNumber", ["latest", False])])[0]
        signer = ipc_call(home.ipc_path, "clique_getSigner", [head["number"]])
        log = home.process("agent").log_file.read_text(errors="replace").splitlines()[-8:]
        lines.append(f"{m.name}: {peers} peers, head {int(head['number'], 16)} {head['hash'][:10]} by {signer[:10]}, "
                     f"{len(head['transactions'])} txs; agent: " + " | ".join(log))
    return "\n".join(lines)


def _same_head(net: Network, height: int) -> bool:
    if min(_heads(net)) < height:
        return False
    return len({call(m.rpc_url, [("eth_getBlockByNumber", [hex(height), False])])[0]["hash"] for m in net.members}) == 1


def test_a_partition_stops_sealing_and_the_chain_recovers_by_itself(on_story: Run, consortium: Network) -> None:
    homes = [consortium.home(m.name) for m in consortium.members]

    def cut() -> bool:
        """Drops every link, both sides (or the other one dials back); True once none is left."""
        for a, b in itertools.permutations(homes, 2):
            ipc_call(a.ipc_path, "admin_removePeer", [b.card.enode])
        for h in homes:
            for peer in ipc_call(h.ipc_path, "admin_peers"):
                ipc_call(h.ipc_path, "admin_removePeer", [peer["enode"]])
        return all(len(ipc_call(h.ipc_path, "admin_peers")) == 0 for h in homes)

    try:
        assert wait_for(cut, 20, interval=0.5), [len(ipc_call(h.ipc_path, "admin_peers")) for h in homes]
        assert wait_for(lambda: not any(s.sealing for s in consortium.status()), 10, interval=0.2)
        time.sleep(2 * consortium.period)  # a block sealed just before may still be on its way
        assert cut()
        halted = _heads(consortium)
        time.sleep(4 * consortium.period)
        assert cut()
        assert _heads(consortium) == halted  # no one seals alone
        r = on_story("node", "status", "bank-a", "--json")
        assert r.code == 0, r.err
        status = r.json()
        assert status["sealers_reached"] == 1 and not status["stalled"]  # type: ignore[index]
        assert "fewer than a majority" in status["advice"]  # type: ignore[index]
    finally:
        for a, b in itertools.combinations(homes, 2):
            ipc_call(a.ipc_path, "admin_addPeer", [b.card.enode])
    recovered = wait_for(lambda: _same_head(consortium, max(halted) + 3), recovery_bound(consortium.period), interval=0.5)
    assert recovered, f"halted at {halted}\n{_diagnosis(consortium)}"
    assert all(s.sealing for s in consortium.status())
