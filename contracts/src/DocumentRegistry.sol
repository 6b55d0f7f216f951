// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";
import {IGovernance} from "./interfaces/IGovernance.sol";
import {ITitleLifecycle} from "./interfaces/ITitleLifecycle.sol";
import {ITitleRegistry} from "./interfaces/ITitleRegistry.sol";

/// @title DocumentRegistry
/// @notice The retention, erasure and access trail of the registry's documents. See {IDocumentRegistry}.
/// @dev Beside the registry, not inside it: it reads the registry (roles, liens, when a business
/// ended) and governance (members), and writes only its own state. Its settings change by member
/// vote, as the registry's do.
contract DocumentRegistry is IDocumentRegistry {
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 private constant _LENDER_ROLE = keccak256("LENDER_ROLE");
    bytes32 private constant _ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 private constant _AUDITOR_ROLE = keccak256("AUDITOR_ROLE");
    uint256 private constant _MAX_BATCH = 100;
    uint256 private constant _MAX_CID_BYTES = 100;
    uint64 private constant _MAX_PERIOD = 100 * 365 days;
    uint64 private constant _MAX_INTERVAL = 30 days;

    struct Anchor {
        uint64 count;
        uint64 at;
        bytes32 head;
    }

    address private immutable _registry;
    IGovernance private immutable _governance;

    mapping(bytes32 cidHash => Document) private _documents;
    mapping(bytes32 cidHash => mapping(address member => bool)) private _attested;
    mapping(address custodian => mapping(uint64 count => bytes32 head)) private _heads;
    mapping(address custodian => Anchor) private _lastAnchor;
    uint64[2] private _periods = [5 * 365 days, 90 days];
    uint64 private _logInterval = 1 hours;

    /// @param registry_ The title registry.
    /// @param governance_ The governance contract: it alone changes the settings.
    constructor(address registry_, address governance_) {
        _registry = registry_;
        _governance = IGovernance(governance_);
    }

    modifier onlyGovernance() {
        if (msg.sender != address(_governance)) revert DocumentsOnlyGovernance(msg.sender);
        _;
    }

    modifier onlyGovernanceMember() {
        if (!_governance.isMember(msg.sender)) revert DocumentsNotGovernanceMember(msg.sender);
        _;
    }

    /// @inheritdoc IDocumentRegistry
    function record(DocumentInput[] calldata documents) external {
        if (!_hasAnyRole(msg.sender)) revert DocumentsNotMember(msg.sender);
        if (documents.length == 0 || documents.length > _MAX_BATCH) revert DocumentsInvalidInput();
        for (uint256 i = 0; i < documents.length; i++) {
            DocumentInput calldata d = documents[i];
            uint256 size = bytes(d.cid).length;
            if (size == 0 || size > _MAX_CID_BYTES) revert DocumentsInvalidInput();
            bytes32 cidHash = keccak256(bytes(d.cid));
            Document storage existing = _documents[cidHash];
            if (existing.recordedAt != 0) revert DocumentsAlreadyRecorded(d.cid, existing.author);
            (uint64 endedAt, uint256 holdingsEnded) = _clock(d);
            // An attachment is about a business that goes on: one about an ended business would be due at once.
            if (!_checkAuthor(d) && endedAt != 0) revert DocumentsBusinessEnded(d.cid, endedAt);
            _record(cidHash, d, holdingsEnded);
        }
    }

    /// @inheritdoc IDocumentRegistry
    function erase(string calldata cid) external {
        bytes32 cidHash = keccak256(bytes(cid));
        Document storage d = _recorded(cidHash, cid);
        if (d.erasedAt != 0) revert DocumentsAlreadyErased(cid, d.erasedAt);
        (uint64 endedAt, uint64 dueAt) = _retention(d);
        if (endedAt == 0) revert DocumentsBusinessOngoing(cid);
        if (block.timestamp < dueAt) revert DocumentsNotDue(cid, dueAt);
        _erase(cidHash, d, endedAt, dueAt, cid);
    }

    /// @inheritdoc IDocumentRegistry
    function attestErasures(string[] calldata cids) external onlyGovernanceMember {
        if (cids.length == 0 || cids.length > _MAX_BATCH) revert DocumentsInvalidInput();
        for (uint256 i = 0; i < cids.length; i++) {
            bytes32 cidHash = keccak256(bytes(cids[i]));
            if (_recorded(cidHash, cids[i]).erasedAt == 0) revert DocumentsNotErased(cids[i]);
            if (_attested[cidHash][msg.sender]) revert DocumentsAlreadyAttested(cids[i], msg.sender);
            _attest(cidHash, cids[i]);
        }
    }

    /// @inheritdoc IDocumentRegistry
    function anchorAccessLog(uint64 count, bytes32 head) external onlyGovernanceMember {
        uint64 anchored = _lastAnchor[msg.sender].count;
        if (count <= anchored) revert DocumentsLogNotAdvanced(count, anchored);
        _anchor(count, head);
    }

    /// @inheritdoc IDocumentRegistry
    function correctDocument(DocumentInput calldata document_) external onlyGovernance {
        bytes32 cidHash = keccak256(bytes(document_.cid));
        Document storage d = _recorded(cidHash, document_.cid);
        if (d.erasedAt != 0) revert DocumentsAlreadyErased(document_.cid, d.erasedAt);
        (, uint256 holdingsEnded) = _clock(document_);
        _correct(cidHash, d, document_, holdingsEnded);
    }

    /// @inheritdoc IDocumentRegistry
    function setRetentionPeriod(Retention retention_, uint64 period) external onlyGovernance {
        if (period == 0 || period > _MAX_PERIOD) revert DocumentsInvalidPeriod(period);
        _periods[uint8(retention_)] = period;
        emit RetentionPeriodSet(retention_, period);
    }

    /// @inheritdoc IDocumentRegistry
    function setAccessLogInterval(uint64 interval) external onlyGovernance {
        if (interval == 0 || interval > _MAX_INTERVAL) revert DocumentsInvalidPeriod(interval);
        _logInterval = interval;
        emit AccessLogIntervalSet(interval);
    }

    // --- views --------------------------------------------------------------------------------

    /// @inheritdoc IDocumentRegistry
    function document(string calldata cid) external view returns (Document memory) {
        return _documents[keccak256(bytes(cid))];
    }

    /// @inheritdoc IDocumentRegistry
    function retention(string calldata cid) external view returns (uint64 businessEndedAt, uint64 dueAt) {
        return _retention(_recorded(keccak256(bytes(cid)), cid));
    }

    /// @inheritdoc IDocumentRegistry
    function readStatus(string calldata cid, address reader) external view returns (ReadStatus) {
        Document storage d = _documents[keccak256(bytes(cid))];
        if (d.recordedAt == 0) return ReadStatus.NotRecorded;
        if (d.erasedAt != 0) return ReadStatus.Erased;
        IAccessControl roles = IAccessControl(_registry);
        if (reader == d.author || roles.hasRole(_AUDITOR_ROLE, reader)) return ReadStatus.Entitled;
        if (d.lienId != 0) {
            if (ITitleRegistry(_registry).lien(d.lienId).lender == reader) return ReadStatus.Entitled;
        } else if (roles.hasRole(_REGISTRAR_ROLE, reader)) {
            return ReadStatus.Entitled;
        }
        return ReadStatus.NotEntitled;
    }

    /// @inheritdoc IDocumentRegistry
    function holdsRole(address account) external view returns (bool) {
        return _hasAnyRole(account);
    }

    /// @inheritdoc IDocumentRegistry
    function attested(string calldata cid, address member) external view returns (bool) {
        return _attested[keccak256(bytes(cid))][member];
    }

    /// @inheritdoc IDocumentRegistry
    function anchoredHead(address custodian, uint64 count) external view returns (bytes32) {
        return _heads[custodian][count];
    }

    /// @inheritdoc IDocumentRegistry
    function lastAnchor(address custodian) external view returns (uint64 count, bytes32 head, uint64 at) {
        Anchor storage a = _lastAnchor[custodian];
        return (a.count, a.head, a.at);
    }

    /// @inheritdoc IDocumentRegistry
    function retentionPeriod(Retention retention_) external view returns (uint64) {
        return _periods[uint8(retention_)];
    }

    /// @inheritdoc IDocumentRegistry
    function accessLogInterval() external view returns (uint64) {
        return _logInterval;
    }

    /// @inheritdoc IDocumentRegistry
    function registry() external view returns (address) {
        return _registry;
    }

    // --- state changes: one function each, its event right after the write -------------------

    function _record(bytes32 cidHash, DocumentInput calldata d, uint256 holdingsEnded) private {
        _documents[cidHash] = Document({
            retention: d.retention,
            author: msg.sender,
            recordedAt: uint64(block.timestamp),
            erasedAt: 0,
            tokenId: d.tokenId,
            lienId: d.lienId,
            holdingsEnded: holdingsEnded
        });
        emit DocumentRecorded(cidHash, d.tokenId, msg.sender, d.lienId, d.retention, d.cid);
    }

    /// @dev A document a step anchored gets that step's author back: a record another account made
    /// first (its CID was public while the step waited in the pool) is mended by this vote.
    function _correct(bytes32 cidHash, Document storage d, DocumentInput calldata input, uint256 holdingsEnded) private {
        (address anchorer,,) = ITitleLifecycle(_registry).anchoring(input.cid);
        if (anchorer != address(0) && anchorer != address(_governance)) d.author = anchorer;
        d.retention = input.retention;
        d.tokenId = input.tokenId;
        d.lienId = input.lienId;
        d.holdingsEnded = holdingsEnded;
        emit DocumentCorrected(cidHash, input.tokenId, input.lienId, input.retention, input.cid);
    }

    function _erase(bytes32 cidHash, Document storage d, uint64 endedAt, uint64 dueAt, string calldata cid) private {
        d.erasedAt = uint64(block.timestamp);
        emit DocumentErased(cidHash, d.tokenId, msg.sender, d.retention, endedAt, dueAt, cid);
    }

    function _attest(bytes32 cidHash, string calldata cid) private {
        _attested[cidHash][msg.sender] = true;
        emit ErasureAttested(cidHash, msg.sender, cid);
    }

    function _anchor(uint64 count, bytes32 head) private {
        _heads[msg.sender][count] = head;
        _lastAnchor[msg.sender] = Anchor(count, uint64(block.timestamp), head);
        emit AccessLogAnchored(msg.sender, count, head);
    }

    // --- reads --------------------------------------------------------------------------------

    function _recorded(bytes32 cidHash, string calldata cid) private view returns (Document storage d) {
        d = _documents[cidHash];
        if (d.recordedAt == 0) revert DocumentsNotRecorded(cid);
    }

    /// @dev Whether the subject's business has ended already (the lien ended, or the title was
    /// cancelled), and how many holdings of its title have ended (by a transfer, or its
    /// cancellation): a document about the title is about its owner since the last of them.
    /// Refuses a title that does not exist, or a lien not on it.
    function _clock(DocumentInput calldata d) private view returns (uint64 endedAt, uint256 holdingsEnded) {
        try ITitleLifecycle(_registry).retentionClock(d.tokenId, d.lienId, type(uint256).max) returns (
            uint64 ended, uint256 count
        ) {
            (endedAt, holdingsEnded) = (ended, count);
        } catch {
            revert DocumentsInvalidSubject(d.tokenId, d.lienId);
        }
    }

    /// @dev The period of now applies: a vote that shortens a period shortens it for every
    /// document whose business ended, as the law's "no longer than necessary" asks.
    function _retention(Document storage d) private view returns (uint64 endedAt, uint64 dueAt) {
        (endedAt,) = ITitleLifecycle(_registry).retentionClock(d.tokenId, d.lienId, d.holdingsEnded);
        if (endedAt != 0) dueAt = endedAt + _periods[uint8(d.retention)];
    }

    /// @dev A document a registry step anchored is recorded by the account that sent the step, and
    /// no other, about that step's title and lien: its CID is public from then on, but only its
    /// author may say what it is, and it may not date its clock from another subject's end. A document
    /// no step anchored (an attachment, or a proposal's evidence before the vote) is recorded about
    /// a lien by the lien's holder or a REGISTRAR, about a title by a REGISTRAR, ORACLE or AUDITOR,
    /// and so is the evidence of a step governance executed, about that step's subject.
    /// @return bound Whether a step anchored the document, so that its subject is the step's.
    function _checkAuthor(DocumentInput calldata d) private view returns (bool bound) {
        (address anchorer, uint256 tokenId, uint256 lienId) = ITitleLifecycle(_registry).anchoring(d.cid);
        bound = anchorer != address(0);
        if (bound) {
            if (anchorer != msg.sender && anchorer != address(_governance)) revert DocumentsNotAuthor(d.cid, anchorer);
            if (d.tokenId != tokenId || d.lienId != lienId) revert DocumentsNotStepSubject(d.cid, tokenId, lienId);
            if (anchorer == msg.sender) return true;
        }
        IAccessControl roles = IAccessControl(_registry);
        if (roles.hasRole(_REGISTRAR_ROLE, msg.sender)) return bound;
        bool mayAttach = d.lienId != 0
            ? _holder(d.lienId) == msg.sender
            : roles.hasRole(_ORACLE_ROLE, msg.sender) || roles.hasRole(_AUDITOR_ROLE, msg.sender);
        if (!mayAttach) revert DocumentsNotAuthor(d.cid, address(0));
    }

    /// @dev A lien's holder; the zero address for an unknown lien (the subject check refuses it).
    function _holder(uint256 lienId) private view returns (address) {
        try ITitleRegistry(_registry).lien(lienId) returns (ITitleRegistry.Lien memory l) {
            return l.lender;
        } catch {
            return address(0);
        }
    }

    function _hasAnyRole(address account) private view returns (bool) {
        IAccessControl roles = IAccessControl(_registry);
        return roles.hasRole(_REGISTRAR_ROLE, account) || roles.hasRole(_LENDER_ROLE, account)
            || roles.hasRole(_ORACLE_ROLE, account) || roles.hasRole(_AUDITOR_ROLE, account);
    }
}
