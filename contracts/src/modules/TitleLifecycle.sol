// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ITitleLifecycle} from "../interfaces/ITitleLifecycle.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {Dispositions} from "../libraries/Dispositions.sol";
import {RegistrySettings} from "../libraries/RegistrySettings.sol";
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
    /// @dev The registry's roles (its constants; a module reads them from its own code). The
    /// default admin is the Governance contract, which calls only after a member vote.
    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

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
            if (p.at != 0 && !p.overdue && block.timestamp > p.releaseDue) _markReleaseOverdue(l, active[i]);
        }
    }

    // --- settings, by member vote ---------------------------------------------------------------

    /// @inheritdoc ITitleLifecycle
    function setLtvThreshold(uint256 thresholdBps) external throughRegistry {
        _voted(RegistrySettings.Setting.LtvThreshold, thresholdBps);
    }

    /// @inheritdoc ITitleLifecycle
    function setStalenessWindow(uint64 windowSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.StalenessWindow, windowSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setProofWindow(uint64 windowSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.ProofWindow, windowSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setLapseGrace(uint64 graceSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.LapseGrace, graceSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setAuthorizationPolicy(ITitleRegistry.AuthorizationPolicy policy) external throughRegistry {
        _voted(RegistrySettings.Setting.AuthorizationPolicy, uint256(policy));
    }

    /// @inheritdoc ITitleLifecycle
    function setMinValuations(uint8 count) external throughRegistry {
        _voted(RegistrySettings.Setting.MinValuations, count);
    }

    /// @inheritdoc ITitleLifecycle
    function setReleaseDeadline(uint64 deadlineSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.ReleaseDeadline, deadlineSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setReleaseGrace(uint64 graceSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.ReleaseGrace, graceSeconds);
    }

    /// @inheritdoc ITitleLifecycle
    function setNoticePeriod(uint64 noticeSeconds) external throughRegistry {
        _voted(RegistrySettings.Setting.NoticePeriod, noticeSeconds);
    }

    // --- default and disposition --------------------------------------------------------------

    /// @inheritdoc ITitleLifecycle
    function declareDefault(uint256 lienId, string calldata docCid) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.LienState storage l = _activeLien($, lienId);
        if (l.lien.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lien.lender);
        uint256 tokenId = l.lien.tokenId;
        Titles.State storage t = $.titles[tokenId];
        ITitleRegistry.TitleStatus status = t.title.status;
        if (status == ITitleRegistry.TitleStatus.Repossessed) revert RegistryTitleRepossessed(tokenId, t.enforcingLienId);
        if (status != ITitleRegistry.TitleStatus.Active) revert ITitleRegistry.RegistryTitleNotActive(tokenId, status);
        _checkDocument(docCid, tokenId, lienId);
        _declareDefault($, t, tokenId, lienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function disposeTitle(
        uint256 tokenId,
        Sale calldata sale,
        string calldata docCid,
        ITitleRegistry.Authorization calldata authorization,
        Opening calldata opening
    ) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.State storage t = _existingTitle($, tokenId);
        uint256 lienId = Dispositions.check($, t, tokenId, sale.buyer, sale.price);
        Dispositions.authorizeSale($, t, tokenId, lienId, sale.buyer, sale.price, authorization);
        _checkDocument(docCid, tokenId, lienId);
        Titles.recordOdometer(t, tokenId, sale.odometerKm, docCid); // refuses a rollback: before any payment
        if ($.liens[lienId - 1].proof.provenAt != 0) {
            // Revealed here, in the sale's own transaction: public then, and only if the sale is.
            Titles.revealLien(t, $.liens, $.settings, ITitleRegistry(address(this)).verifier(), lienId,
                              opening.amount, opening.blinding);
        }
        Dispositions.settle($, t, tokenId, lienId, sale.buyer, sale.price, docCid);
        Titles.review(t, $.liens, $.settings, tokenId);
    }

    /// @inheritdoc ITitleLifecycle
    function withdrawDefault(uint256 lienId, string calldata docCid) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        ITitleRegistry.Lien storage l = _activeLien($, lienId).lien;
        if (l.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lender);
        Titles.State storage t = $.titles[l.tokenId];
        if (t.enforcingLienId != lienId) revert RegistryNotRepossessed(l.tokenId);
        _checkDocument(docCid, l.tokenId, lienId);
        Dispositions.withdraw(t, l.tokenId, lienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function noticePeriod() external view throughRegistry returns (uint64) {
        return RegistryStorage.layout().settings.noticePeriod;
    }

    /// @inheritdoc ITitleLifecycle
    function enforcement(uint256 tokenId) external view throughRegistry returns (Enforcement memory) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.State storage t = _existingTitle($, tokenId);
        return Enforcement(t.enforcingLienId, t.defaultedAt, t.noticeEndsAt);
    }

    /// @inheritdoc ITitleLifecycle
    function recovery(uint256 lienId) external view throughRegistry returns (uint256) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        if (lienId == 0 || lienId > $.liens.length) revert ITitleRegistry.RegistryUnknownLien(lienId);
        return $.liens[lienId - 1].recovered;
    }

    /// @inheritdoc ITitleLifecycle
    function anchoring(string calldata cid)
        external
        view
        throughRegistry
        returns (address author, uint256 tokenId, uint256 lienId)
    {
        RegistryStorage.Anchored storage a = RegistryStorage.layout().anchored[keccak256(bytes(cid))];
        return (a.author, a.tokenId, a.lienId);
    }

    /// @inheritdoc ITitleLifecycle
    function retentionClock(uint256 tokenId, uint256 lienId, uint256 sinceHoldings)
        external
        view
        throughRegistry
        returns (uint64 endedAt, uint256 holdingsEnded)
    {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.State storage t = _existingTitle($, tokenId);
        uint64[] storage ends = t.holdingsEndedAt;
        holdingsEnded = ends.length;
        if (lienId != 0) {
            if (lienId > $.liens.length || $.liens[lienId - 1].lien.tokenId != tokenId) {
                revert ITitleRegistry.RegistryUnknownLien(lienId);
            }
            endedAt = $.liens[lienId - 1].endedAt;
        } else if (sinceHoldings < holdingsEnded) {
            endedAt = ends[sinceHoldings];
        } else if (holdingsEnded != 0 && t.title.status == ITitleRegistry.TitleStatus.Cancelled) {
            endedAt = ends[holdingsEnded - 1]; // since the cancellation, the last end, no one holds it
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
        _checkDocument(docCid, l.lien.tokenId, lienId);
        _recordPayoff(l, lienId, $.settings, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function disputePayoff(uint256 lienId, string calldata docCid) external throughRegistry {
        Titles.LienState storage l = _activeLien(RegistryStorage.layout(), lienId);
        if (l.lien.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lien.lender);
        if (l.payoff.at == 0) revert RegistryNoPayoff(lienId);
        // By the release deadline: no lienholder keeps a payoff from counting by disputing it late.
        if (block.timestamp > l.payoff.releaseDue) revert RegistryDisputeTooLate(lienId, l.payoff.releaseDue);
        _checkDocument(docCid, l.lien.tokenId, lienId);
        _disputePayoff(l, lienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function releasePaidOff(uint256 lienId, string calldata evidenceCid) external throughRegistry {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        Titles.LienState storage l = _activeLien($, lienId);
        _checkRole(_REGISTRAR_ROLE);
        Titles.Payoff storage p = l.payoff;
        if (p.at == 0) revert RegistryNoPayoff(lienId);
        if (p.by == msg.sender) revert RegistrySameRegistrar(lienId, msg.sender);
        if (block.timestamp <= p.releasableAt) revert RegistryReleaseNotOverdue(lienId, p.releasableAt);
        Titles.closeLien($.titles[l.lien.tokenId], $.liens, $.settings, lienId, Titles.Closing.AfterPayoff, evidenceCid);
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
        return PayoffState(p.at, p.by, p.releaseDue, p.releasableAt, p.overdue);
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
            ITitleRegistry.Lien storage l = _assignable($, lienId);
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
        _checkNotRepossessed($.titles[s.tokenId], s.tokenId); // the waterfall a default announced stays as it was
        _checkDocument(docCid, s.tokenId, lienId);
        bytes32 digest = _digest(keccak256(abi.encode(
            _SUBORDINATION_TYPEHASH, lienId, behindLienId, acceptance.nonce, acceptance.deadline
        )), acceptance.deadline);
        _checkAccepted(digest, acceptance.signature, junior.lender, behindLienId);
        _useAcceptance($, digest, behindLienId);
        _subordinate($, $.titles[s.tokenId], lienId, behindLienId, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function lienBatch(uint256[] calldata lienIds)
        external
        view
        throughRegistry
        returns (ITitleRegistry.Lien[] memory out)
    {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        out = new ITitleRegistry.Lien[](lienIds.length);
        for (uint256 i = 0; i < lienIds.length; i++) {
            uint256 lienId = lienIds[i];
            if (lienId == 0 || lienId > $.liens.length) revert ITitleRegistry.RegistryUnknownLien(lienId);
            out[i] = $.liens[lienId - 1].lien;
        }
    }

    /// @inheritdoc ITitleLifecycle
    function brandTitle(uint256 tokenId, ITitleRegistry.Brand brand, string calldata docCid) external throughRegistry {
        _checkRole(_REGISTRAR_ROLE);
        Titles.State storage t = _liveTitle(RegistryStorage.layout(), tokenId);
        _checkDocument(docCid, tokenId, 0);
        uint8 bit = _bit(brand);
        if (t.title.brands & bit != 0) revert ITitleRegistry.RegistryBrandPresent(tokenId, brand);
        _addBrand(t, tokenId, brand, docCid);
    }

    /// @inheritdoc ITitleLifecycle
    function removeBrand(uint256 tokenId, ITitleRegistry.Brand brand, string calldata evidenceCid)
        external
        throughRegistry
    {
        if (!IAccessControl(address(this)).hasRole(_DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert ITitleRegistry.RegistryBrandRemovalNeedsVote(tokenId, brand);
        }
        Titles.State storage t = _liveTitle(RegistryStorage.layout(), tokenId);
        _checkDocument(evidenceCid, tokenId, 0);
        uint8 bit = _bit(brand);
        if (t.title.brands & bit == 0) revert ITitleRegistry.RegistryBrandAbsent(tokenId, brand);
        _removeBrand(t, tokenId, brand, evidenceCid);
    }

    /// @inheritdoc ITitleLifecycle
    function recordOdometer(uint256 tokenId, uint32 km, string calldata docCid) external throughRegistry {
        _checkRole(_REGISTRAR_ROLE);
        Titles.recordOdometer(_liveTitle(RegistryStorage.layout(), tokenId), tokenId, km, docCid);
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

    function _declareDefault(
        RegistryStorage.Layout storage $,
        Titles.State storage t,
        uint256 tokenId,
        uint256 lienId,
        string calldata docCid
    ) private {
        uint64 noticeEndsAt = uint64(block.timestamp) + $.settings.noticePeriod;
        t.enforcingLienId = lienId;
        t.defaultedAt = uint64(block.timestamp);
        t.noticeEndsAt = noticeEndsAt;
        t.title.status = ITitleRegistry.TitleStatus.Repossessed;
        emit ITitleRegistry.TitleStatusChanged(
            tokenId, ITitleRegistry.TitleStatus.Active, ITitleRegistry.TitleStatus.Repossessed, docCid
        );
        emit LienDefaulted(lienId, tokenId, msg.sender, noticeEndsAt, docCid);
        uint256[] storage active = t.activeLienIds;
        for (uint256 i = 0; i < active.length; i++) {
            uint256 other = active[i];
            if (other != lienId) emit DefaultNotice(other, tokenId, $.liens[other - 1].lien.lender, lienId);
        }
        emit IERC4906.MetadataUpdate(tokenId);
    }






    function _recordPayoff(Titles.LienState storage l, uint256 lienId, Titles.Settings storage s, string calldata docCid)
        private
    {
        uint64 due = uint64(block.timestamp) + s.releaseDeadline;
        l.payoff = Titles.Payoff(uint64(block.timestamp), msg.sender, false, due, due + s.releaseGrace);
        emit LienPaidOff(lienId, l.lien.tokenId, msg.sender, due, docCid);
    }

    function _disputePayoff(Titles.LienState storage l, uint256 lienId, string calldata docCid) private {
        delete l.payoff;
        emit LienPayoffDisputed(lienId, l.lien.tokenId, msg.sender, docCid);
    }

    function _markReleaseOverdue(Titles.LienState storage l, uint256 lienId) private {
        l.payoff.overdue = true;
        emit LienReleaseOverdue(lienId, l.lien.tokenId, l.lien.lender, l.payoff.releaseDue);
    }

    function _assignLien(ITitleRegistry.Lien storage l, uint256 lienId, address to, string calldata docCid) private {
        _checkDocument(docCid, l.tokenId, lienId);
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



    /// @dev An active lien of the caller that it may assign: not on a repossessed title (the
    /// default told its holders), and with no payoff on record (its holder owes the release, and
    /// cannot hand it on to one never told).
    function _assignable(RegistryStorage.Layout storage $, uint256 lienId)
        private
        view
        returns (ITitleRegistry.Lien storage l)
    {
        Titles.LienState storage state = _activeLien($, lienId);
        l = state.lien;
        if (l.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lender);
        _checkNotRepossessed($.titles[l.tokenId], l.tokenId);
        if (state.payoff.at != 0) revert RegistryPayoffRecorded(lienId, state.payoff.at);
    }

    function _checkNotRepossessed(Titles.State storage t, uint256 tokenId) private view {
        if (t.title.status == ITitleRegistry.TitleStatus.Repossessed) revert RegistryTitleRepossessed(tokenId, t.enforcingLienId);
    }

    function _hasRole(bytes32 role) private view returns (bool) {
        return IAccessControl(address(this)).hasRole(role, msg.sender);
    }

    /// @dev A setting governance changes by vote.
    function _voted(RegistrySettings.Setting which, uint256 value) private {
        _checkRole(_DEFAULT_ADMIN_ROLE);
        RegistrySettings.change(RegistryStorage.layout().settings, which, value);
    }


    /// @dev The registry's EIP-712 digest of an acceptance's struct hash, refused past its deadline.
    function _digest(bytes32 structHash, uint64 deadline) private view returns (bytes32) {
        if (deadline < block.timestamp) revert RegistryAcceptanceExpired(deadline);
        return _domainDigest(structHash);
    }

    /// @dev The registry's EIP-712 digest of a struct hash.
    function _domainDigest(bytes32 structHash) private view returns (bytes32) {
        bytes32 domain = keccak256(abi.encode(_DOMAIN_TYPEHASH, _DOMAIN_NAME, _DOMAIN_VERSION, block.chainid, address(this)));
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }

    /// @dev Refuses a signature of `digest` by anyone but `expected` (a malformed one recovers to
    /// the zero address).
    function _checkAccepted(bytes32 digest, bytes calldata signature, address expected, uint256 lienId) private pure {
        (address signer,,) = ECDSA.tryRecover(digest, signature);
        if (signer != expected) revert RegistryNotAccepted(lienId, signer);
    }

    function _checkDocument(string calldata docCid, uint256 tokenId, uint256 lienId) private {
        if (bytes(docCid).length == 0) revert ITitleRegistry.RegistryDocumentRequired();
        RegistryStorage.anchor(RegistryStorage.layout(), docCid, tokenId, lienId);  // see {RegistryStorage-Layout}
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

    // --- brands: state changes, their events right after the write; wallets are told (a
    // title's `tokenURI` shows its brands) -----------------------------------------------------

    function _addBrand(Titles.State storage t, uint256 tokenId, ITitleRegistry.Brand brand, string calldata docCid)
        private
    {
        t.title.brands |= _bit(brand);
        emit ITitleRegistry.TitleBranded(tokenId, brand, msg.sender, docCid);
        emit IERC4906.MetadataUpdate(tokenId);
    }

    function _removeBrand(
        Titles.State storage t,
        uint256 tokenId,
        ITitleRegistry.Brand brand,
        string calldata evidenceCid
    ) private {
        t.title.brands &= ~_bit(brand);
        emit ITitleRegistry.BrandRemoved(tokenId, brand, evidenceCid);
        emit IERC4906.MetadataUpdate(tokenId);
    }

    // --- internals ------------------------------------------------------------------------------

    /// @dev As the registry's `onlyRole`, through the registry's roles.
    function _checkRole(bytes32 role) private view {
        if (!_hasRole(role)) revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
    }

    /// @dev A registered title that is not cancelled: a cancelled title never changes again.
    function _liveTitle(RegistryStorage.Layout storage $, uint256 tokenId) private view returns (Titles.State storage t) {
        t = _existingTitle($, tokenId);
        if (t.title.status == ITitleRegistry.TitleStatus.Cancelled) revert ITitleRegistry.RegistryTitleCancelled(tokenId);
    }

    /// @dev The bit of a brand in a title's mask.
    function _bit(ITitleRegistry.Brand brand) private pure returns (uint8) {
        return uint8(1) << uint8(brand);
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
