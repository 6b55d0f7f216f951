// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ITitleLifecycle} from "../interfaces/ITitleLifecycle.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {RegistryStorage} from "../libraries/RegistryStorage.sol";
import {Titles} from "../libraries/Titles.sol";

/// @title TitleLifecycle
/// @notice The registry's lifecycle operations. See {ITitleLifecycle}.
/// @dev A module of {TitleRegistry}, with a code size budget of its own: the registry creates it
/// in its constructor (so that the registry's committed creation code fixes this code too) and
/// its fallback reaches it by DELEGATECALL for every selector the registry does not have itself.
/// Here `address(this)`, `msg.sender` and storage are the registry's and its caller's; every
/// event is logged by the registry. Its state is the registry's {RegistryStorage} namespace: it
/// declares no state variable (an immutable is code, not storage).
///
/// Called at its own address it refuses everything ({LifecycleDirectCall}): there it would read
/// an empty state and log events no client follows.
///
/// What the registry alone can do (ERC-721 moves, role checks) a module reaches through the
/// registry's external functions: `IAccessControl(address(this)).hasRole(...)`, or a registry
/// function that only `address(this)` may call.
contract TitleLifecycle is ITitleLifecycle {
    address private immutable _registry;

    /// @dev The registry's EIP-712 domain, as OpenZeppelin's EIP712 builds it: run by the
    /// registry, `address(this)` is the registry, so the digests are the registry's own.
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _DOMAIN_NAME = keccak256("lienchain TitleRegistry");
    bytes32 private constant _DOMAIN_VERSION = keccak256("1");
    /// @dev The EIP-712 type an assignee signs to accept a portfolio of liens (a Merkle root).
    bytes32 private constant _ASSIGNMENT_TYPEHASH =
        keccak256("LienAssignmentAcceptance(address from,address to,bytes32 liens,uint256 nonce,uint64 deadline)");
    /// @dev The EIP-712 type a junior lienholder signs to accept a senior's subordination to it.
    bytes32 private constant _SUBORDINATION_TYPEHASH =
        keccak256("LienSubordination(uint256 lienId,uint256 behindLienId,uint256 nonce,uint64 deadline)");
    bytes32 private constant _LENDER_ROLE = keccak256("LENDER_ROLE");
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 private constant _GOVERNANCE_ROLE = 0x00; // AccessControl's DEFAULT_ADMIN_ROLE: the Governance contract

    constructor() {
        _registry = msg.sender;
    }

    modifier throughRegistry() {
        if (address(this) != _registry) revert LifecycleDirectCall();
        _;
    }

    /// @inheritdoc ITitleLifecycle
    function reviewTitle(uint256 tokenId) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.State storage t = _existingTitle($, tokenId);
        Titles.review(t, $.liens, $.settings, tokenId);
        uint256[] storage active = t.activeLienIds;
        for (uint256 i = 0; i < active.length; i++) {
            Titles.LienState storage l = $.liens[active[i] - 1];
            Titles.Payoff storage p = l.payoff;
            if (p.at != 0 && !p.overdue && block.timestamp > uint256(p.at) + $.settings.releaseDeadline) {
                _markReleaseOverdue(l, active[i], $.settings.releaseDeadline);
            }
        }
    }

    // --- payoff and release -------------------------------------------------------------------

    /// @inheritdoc ITitleLifecycle
    function recordPayoff(uint256 lienId, string calldata docCid) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.LienState storage l = _activeLien($, lienId);
        bool owner = IERC721(address(this)).ownerOf(l.lien.tokenId) == msg.sender;
        if (!owner && !_hasRole(_REGISTRAR_ROLE)) revert RegistryNotBorrower(lienId, msg.sender);
        if (l.payoff.at != 0) revert RegistryPayoffRecorded(lienId, l.payoff.at);
        _checkDocument(docCid);
        _recordPayoff(l, lienId, $.settings.releaseDeadline, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function disputePayoff(uint256 lienId, string calldata docCid) external throughRegistry {
        Titles.LienState storage l = _activeLien(RegistryStorage.layout(), lienId);
        if (l.lien.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lien.lender);
        if (l.payoff.at == 0) revert RegistryNoPayoff(lienId);
        _checkDocument(docCid);
        _disputePayoff(l, lienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function releasePaidOff(uint256 lienId, string calldata evidenceCid) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.LienState storage l = _activeLien($, lienId);
        if (!_hasRole(_REGISTRAR_ROLE)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, _REGISTRAR_ROLE);
        }
        Titles.Payoff storage p = l.payoff;
        if (p.at == 0) revert RegistryNoPayoff(lienId);
        if (p.by == msg.sender) revert RegistrySameRegistrar(lienId, msg.sender);
        uint256 releasableAt = uint256(p.at) + $.settings.releaseDeadline + $.settings.releaseGrace;
        if (block.timestamp <= releasableAt) revert RegistryReleaseNotOverdue(lienId, uint64(releasableAt));
        Titles.closeLien($.titles[l.lien.tokenId], $.liens, $.settings, lienId, Titles.Closing.AfterPayoff, evidenceCid);
    }

    /// @inheritdoc ITitleLifecycle
    function setReleaseDeadline(uint64 deadlineSeconds) external throughRegistry {
        _changeSetting(Titles.Setting.ReleaseDeadline, deadlineSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setReleaseGrace(uint64 graceSeconds) external throughRegistry {
        _changeSetting(Titles.Setting.ReleaseGrace, graceSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function releaseDeadline() external view throughRegistry returns (uint64) {
        return RegistryStorage.layout().settings.releaseDeadline;
    }

    /// @inheritdoc ITitleLifecycle
    function releaseGrace() external view throughRegistry returns (uint64) {
        return RegistryStorage.layout().settings.releaseGrace;
    }

    /// @inheritdoc ITitleLifecycle
    function payoff(uint256 lienId) external view throughRegistry returns (PayoffState memory state) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        if (lienId == 0 || lienId > $.liens.length) revert ITitleRegistry.RegistryUnknownLien(lienId);
        Titles.Payoff storage p = $.liens[lienId - 1].payoff;
        if (p.at == 0) return state;
        uint64 due = p.at + $.settings.releaseDeadline;
        return PayoffState(p.at, p.by, due, due + $.settings.releaseGrace, p.overdue);
    }

    /// @inheritdoc ITitleLifecycle
    function assignLiens(
        uint256[] calldata lienIds,
        address to,
        string[] calldata docCids,
        ITitleRegistry.Authorization calldata acceptance,
        bytes32 liensRoot,
        bytes32[][] calldata proofs
    ) external throughRegistry {
        uint256 n = lienIds.length;
        if (n == 0 || docCids.length != n || proofs.length != n) revert RegistryBatchMismatch();
        if (to == msg.sender || !IAccessControl(address(this)).hasRole(_LENDER_ROLE, to)) {
            revert RegistryInvalidAssignee(to);
        }
        bytes32 digest = _digest(keccak256(abi.encode(
            _ASSIGNMENT_TYPEHASH, msg.sender, to, liensRoot, acceptance.nonce, acceptance.deadline
        )), acceptance.deadline);
        _checkAccepted(digest, acceptance.signature, to, lienIds[0]);
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        for (uint256 i = 0; i < n; i++) {
            uint256 lienId = lienIds[i];
            ITitleRegistry.Lien storage l = _activeLien($, lienId).lien;
            if (l.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lender);
            if (!MerkleProof.verifyCalldata(proofs[i], liensRoot, keccak256(bytes.concat(keccak256(abi.encode(lienId)))))) {
                revert RegistryNotAccepted(lienId, to);
            }
            _useAcceptance($, digest, lienId);
            _assignLien(l, lienId, to, docCids[i]);
        }
    }

    /// @inheritdoc ITitleLifecycle
    function subordinateLien(
        uint256 lienId,
        uint256 behindLienId,
        string calldata docCid,
        ITitleRegistry.Authorization calldata acceptance
    ) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.LienState storage senior = _activeLien($, lienId);
        ITitleRegistry.Lien storage s = senior.lien;
        ITitleRegistry.Lien storage junior = _activeLien($, behindLienId).lien;
        if (s.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, s.lender);
        if (junior.tokenId != s.tokenId || junior.priority <= s.priority) revert RegistryNotSenior(lienId, behindLienId);
        if (senior.proof.provenAt != 0) revert RegistryPrivateLienStaysFirst(lienId);
        _checkDocument(docCid);
        bytes32 digest = _digest(keccak256(abi.encode(
            _SUBORDINATION_TYPEHASH, lienId, behindLienId, acceptance.nonce, acceptance.deadline
        )), acceptance.deadline);
        _checkAccepted(digest, acceptance.signature, junior.lender, behindLienId);
        _useAcceptance($, digest, behindLienId);
        _subordinate($, $.titles[s.tokenId], lienId, behindLienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function valuations(uint256 tokenId)
        external
        view
        throughRegistry
        returns (ITitleRegistry.Valuation[] memory out)
    {
        Titles.State storage t = _existingTitle(RegistryStorage.layout(), tokenId);
        address[] storage valuers = t.valuers;
        out = new ITitleRegistry.Valuation[](valuers.length);
        for (uint256 i = 0; i < valuers.length; i++) {
            out[i] = t.valuations[valuers[i]];
        }
    }

    // --- state changes: one function each, its event right after the write -------------------

    function _recordPayoff(Titles.LienState storage l, uint256 lienId, uint64 deadline, string calldata docCid) private {
        l.payoff = Titles.Payoff(uint64(block.timestamp), msg.sender, false);
        emit LienPaidOff(lienId, l.lien.tokenId, msg.sender, uint64(block.timestamp) + deadline, docCid);
    }

    function _disputePayoff(Titles.LienState storage l, uint256 lienId, string calldata docCid) private {
        delete l.payoff;
        emit LienPayoffDisputed(lienId, l.lien.tokenId, msg.sender, docCid);
    }

    function _markReleaseOverdue(Titles.LienState storage l, uint256 lienId, uint64 deadline) private {
        l.payoff.overdue = true;
        emit LienReleaseOverdue(lienId, l.lien.tokenId, l.lien.lender, l.payoff.at + deadline);
    }

    function _assignLien(ITitleRegistry.Lien storage l, uint256 lienId, address to, string calldata docCid) private {
        _checkDocument(docCid);
        l.lender = to;
        emit LienAssigned(lienId, l.tokenId, msg.sender, to, docCid);
    }

    /// @dev Moves `lienId` right behind `behindLienId` among the title's active liens (in priority
    /// order, the first before the second), each lien in between taking the place, and the
    /// priority, of the one before it: the priorities stay the title's, in a new order.
    function _subordinate(
        RegistryStorage.Layout storage $,
        Titles.State storage t,
        uint256 lienId,
        uint256 behindLienId,
        string calldata docCid
    ) private {
        uint256[] storage active = t.activeLienIds;
        uint256[] memory previous = active;
        uint256 i = 0;
        while (active[i] != lienId) i++;
        ITitleRegistry.Lien storage moved = $.liens[lienId - 1].lien;
        uint32 carried = moved.priority;
        uint256 next;
        do {
            next = active[i + 1];
            ITitleRegistry.Lien storage up = $.liens[next - 1].lien;
            (up.priority, carried) = (carried, up.priority);
            active[i++] = next;
        } while (next != behindLienId);
        active[i] = lienId;
        moved.priority = carried;
        emit LienSubordinated(lienId, moved.tokenId, behindLienId, previous, active, docCid);
    }

    function _useAcceptance(RegistryStorage.Layout storage $, bytes32 digest, uint256 lienId) private {
        bytes32 key = keccak256(abi.encode(digest, lienId));
        if ($.consentUsed[key]) revert RegistryAcceptanceUsed(lienId, digest);
        $.consentUsed[key] = true;
    }

    // --- checks -------------------------------------------------------------------------------

    function _hasRole(bytes32 role) private view returns (bool) {
        return IAccessControl(address(this)).hasRole(role, msg.sender);
    }

    /// @dev A setting governance changes by vote (see `Titles.changeSetting`).
    function _changeSetting(Titles.Setting which, uint256 value) private {
        if (!_hasRole(_GOVERNANCE_ROLE)) revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, _GOVERNANCE_ROLE);
        Titles.changeSetting(RegistryStorage.layout().settings, which, value);
    }

    /// @dev The registry's EIP-712 digest of a struct hash, refused past its deadline.
    function _digest(bytes32 structHash, uint64 deadline) private view returns (bytes32) {
        if (deadline < block.timestamp) revert RegistryAcceptanceExpired(deadline);
        bytes32 domain = keccak256(abi.encode(_DOMAIN_TYPEHASH, _DOMAIN_NAME, _DOMAIN_VERSION, block.chainid, address(this)));
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }

    /// @dev Refuses a signature of `digest` by anyone but `expected` (a malformed one recovers to
    /// the zero address).
    function _checkAccepted(bytes32 digest, bytes calldata signature, address expected, uint256 lienId) private pure {
        (address signer,,) = ECDSA.tryRecover(digest, signature);
        if (signer != expected) revert RegistryNotAccepted(lienId, signer);
    }

    function _checkDocument(string calldata docCid) private pure {
        if (bytes(docCid).length == 0) revert ITitleRegistry.RegistryDocumentRequired();
    }

    function _activeLien(RegistryStorage.Layout storage $, uint256 lienId)
        private
        view
        returns (Titles.LienState storage l)
    {
        if (lienId == 0 || lienId > $.liens.length) revert ITitleRegistry.RegistryUnknownLien(lienId);
        l = $.liens[lienId - 1];
        if (l.lien.status != ITitleRegistry.LienStatus.Active) revert ITitleRegistry.RegistryLienNotActive(lienId);
    }

    function _existingTitle(RegistryStorage.Layout storage $, uint256 tokenId)
        private
        view
        returns (Titles.State storage t)
    {
        t = $.titles[tokenId];
        if (t.title.registeredAt == 0) revert ITitleRegistry.RegistryUnknownTitle(tokenId);
    }
}
