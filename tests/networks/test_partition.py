"""A partition of the 3-member sandbox: every node cut off from the others, then the links restored.

A node cut off from the majority of the sealers stops sealing (so no one builds a rival chain of
its own that the others would then refuse), `node status` says why it waits, and once the links are
back the nodes recover by themselves: the chain advances again, with one head on every node.
"""

from __future__ import annotations

import itertools
import time

from lienchain.networks import Network
from lienchain.networks.ipc import ipc_call
from lienchain.networks.process import wait_for
from lienchain.networks.rpc import call, node_facts

from .conftest import Run


def _heads(net: Network) -> list[int]:
    facts = [node_facts(m.rpc_url) for m in net.members]
    return [f.block if f else -1 for f in facts]


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
    assert wait_for(lambda: _same_head(consortium, max(halted) + 3), 60, interval=0.5), _heads(consortium)
    assert all(s.sealing for s in consortium.status())
