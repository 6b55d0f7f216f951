// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IGovernance} from "./interfaces/IGovernance.sol";

/// @title Governance
/// @notice Majority-vote governance: the administrator of the registry's roles and of its own
/// membership. See {IGovernance}.
contract Governance is IGovernance {
    uint64 private constant _MIN_VOTING_PERIOD = 1 days;
    uint64 private constant _MAX_VOTING_PERIOD = 365 days;
    /// @dev Every count of approvals loops over the members: at most this many keeps a vote's gas
    /// under a million, whoever is voted in.
    uint256 private constant _MAX_MEMBERS = 100;

    address[] private _members;
    mapping(address account => bool) private _isMember;
    Proposal[] private _proposals;
    /// @dev The number of proposals made when the account's current membership began: it votes on
    /// the proposals made after, whose ids are greater. A member removed and added again has no
    /// vote on the proposals of its earlier membership, nor do its approvals of them count.
    mapping(address account => uint256) private _memberSince;
    mapping(uint256 proposalId => mapping(address member => bool)) private _approved;
    mapping(address member => address) private _sealerOf;
    /// @dev The member a non-zero sealer address belongs to, so that no two members share one.
    mapping(address sealer => address member) private _memberOfSealer;
    uint64 private _votingPeriod = 14 days;

    modifier onlyMember() {
        if (!_isMember[msg.sender]) revert GovernanceNotMember(msg.sender);
        _;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert GovernanceOnlySelf(msg.sender);
        _;
    }

    /// @param initialMembers The founding members; at least one, no zero address, no duplicate.
    /// @param initialSealers Each founding member's sealer, in the same order: the zero address for a
    /// member that runs no sealer; no non-zero address twice.
    constructor(address[] memory initialMembers, address[] memory initialSealers) {
        if (initialMembers.length == 0 || initialSealers.length != initialMembers.length) {
            revert GovernanceInvalidMembers();
        }
        for (uint256 i = 0; i < initialMembers.length; i++) {
            address account = initialMembers[i];
            if (account == address(0) || _isMember[account]) revert GovernanceInvalidMembers();
            _addMember(account, initialSealers[i]);
        }
    }

    /// @inheritdoc IGovernance
    function propose(address target, bytes calldata data, string calldata description)
        external
        onlyMember
        returns (uint256 proposalId)
    {
        if (target.code.length == 0) revert GovernanceInvalidTarget(target);
        proposalId = _propose(target, data, description);
        _approve(proposalId, msg.sender);
    }

    /// @inheritdoc IGovernance
    function approve(uint256 proposalId) external onlyMember {
        _approve(proposalId, msg.sender);
    }

    /// @inheritdoc IGovernance
    function cancel(uint256 proposalId) external onlyMember {
        Proposal storage p = _proposal(proposalId);
        if (msg.sender != p.proposer) revert GovernanceNotProposer(proposalId, msg.sender, p.proposer);
        if (p.executed) revert GovernanceAlreadyExecuted(proposalId);
        if (p.cancelled) revert GovernanceProposalCancelled(proposalId);
        _cancel(proposalId, p);
    }

    /// @inheritdoc IGovernance
    function addMember(address account, address sealer) external onlySelf {
        if (account == address(0) || _isMember[account]) revert GovernanceAlreadyMember(account);
        _addMember(account, sealer);
    }

    /// @inheritdoc IGovernance
    function removeMember(address account) external onlySelf {
        if (!_isMember[account]) revert GovernanceNotMember(account);
        if (_members.length == 1) revert GovernanceLastMember(account);
        _removeMember(account);
    }

    /// @inheritdoc IGovernance
    function setVotingPeriod(uint64 period) external onlySelf {
        if (period < _MIN_VOTING_PERIOD || period > _MAX_VOTING_PERIOD) revert GovernanceInvalidVotingPeriod(period);
        if (period == _votingPeriod) revert GovernanceVotingPeriodUnchanged(period);
        _setVotingPeriod(period);
    }

    /// @inheritdoc IGovernance
    function batch(address[] calldata targets, bytes[] calldata data) external onlySelf {
        if (targets.length != data.length) revert GovernanceBatchMismatch(targets.length, data.length);
        for (uint256 i = 0; i < targets.length; i++) {
            address target = targets[i];
            if (target.code.length == 0) revert GovernanceInvalidTarget(target);
            (bool ok, bytes memory returndata) = target.call(data[i]);
            if (!ok) {
                // Passed up unchanged, so the proposal's GovernanceCallFailed carries the call's own error.
                assembly ("memory-safe") {
                    revert(add(returndata, 0x20), mload(returndata))
                }
            }
        }
    }

    /// @inheritdoc IGovernance
    function sealerOf(address member) external view returns (address) {
        return _sealerOf[member];
    }

    /// @inheritdoc IGovernance
    function sealers() external view returns (address[] memory out) {
        uint256 count = 0;
        for (uint256 i = 0; i < _members.length; i++) {
            if (_sealerOf[_members[i]] != address(0)) count++;
        }
        out = new address[](count);
        count = 0;
        for (uint256 i = 0; i < _members.length; i++) {
            address sealer = _sealerOf[_members[i]];
            if (sealer != address(0)) out[count++] = sealer;
        }
    }

    /// @inheritdoc IGovernance
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc IGovernance
    function isMember(address account) external view returns (bool) {
        return _isMember[account];
    }

    /// @inheritdoc IGovernance
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposal(proposalId);
    }

    /// @inheritdoc IGovernance
    function approvals(uint256 proposalId) public view returns (uint256 count) {
        _proposal(proposalId);
        // Only current members count, and only those who have been members since before the
        // proposal was made: a removed member's approval no longer counts, nor comes back if the
        // member is added again.
        for (uint256 i = 0; i < _members.length; i++) {
            address member = _members[i];
            if (_isVoter(proposalId, member) && _approved[proposalId][member]) count++;
        }
    }

    /// @inheritdoc IGovernance
    function hasApproved(uint256 proposalId, address member) external view returns (bool) {
        return _isMember[member] && _isVoter(proposalId, member) && _approved[proposalId][member];
    }

    /// @inheritdoc IGovernance
    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    /// @inheritdoc IGovernance
    function votingPeriod() external view returns (uint64) {
        return _votingPeriod;
    }

    function _proposal(uint256 proposalId) private view returns (Proposal storage) {
        if (proposalId == 0 || proposalId > _proposals.length) revert GovernanceUnknownProposal(proposalId);
        return _proposals[proposalId - 1];
    }

    function _propose(address target, bytes calldata data, string calldata description)
        private
        returns (uint256 proposalId)
    {
        _proposals.push(
            Proposal({
                target: target,
                data: data,
                description: description,
                proposer: msg.sender,
                createdAt: uint64(block.timestamp),
                executed: false,
                memberCount: uint64(_members.length), // fewer than 2**64 members: each takes a transaction
                expiresAt: uint64(block.timestamp) + _votingPeriod,
                cancelled: false
            })
        );
        proposalId = _proposals.length;
        emit ProposalCreated(proposalId, msg.sender, target, data, description);
    }

    /// @dev Callers check that `member` is a member.
    function _approve(uint256 proposalId, address member) private {
        Proposal storage p = _proposal(proposalId);
        if (p.executed) revert GovernanceAlreadyExecuted(proposalId);
        if (p.cancelled) revert GovernanceProposalCancelled(proposalId);
        if (block.timestamp >= p.expiresAt) revert GovernanceProposalExpired(proposalId, p.expiresAt);
        if (!_isVoter(proposalId, member)) revert GovernanceNotVoter(proposalId, member);
        if (_approved[proposalId][member]) revert GovernanceAlreadyApproved(proposalId, member);
        _approved[proposalId][member] = true;
        uint256 count = approvals(proposalId);
        emit ProposalApproved(proposalId, member, count);
        // More than half of the members the proposal was made with: members who leave later take
        // their votes with them, and lower the bar for none of the proposals made before.
        if (count > p.memberCount / 2) _execute(proposalId, p);
    }

    /// @dev Whether a member's current membership began before the proposal was made. Callers
    /// check membership: a former member keeps the start of its last membership.
    function _isVoter(uint256 proposalId, address member) private view returns (bool) {
        return _memberSince[member] < proposalId;
    }

    function _execute(uint256 proposalId, Proposal storage p) private {
        // Marked before the call so that a proposal can never run twice, even if it re-enters.
        p.executed = true;
        (bool ok, bytes memory returndata) = p.target.call(p.data);
        // A failed call reverts the approval too, so the proposal stays open and the voter sees why.
        if (!ok) revert GovernanceCallFailed(proposalId, returndata);
        emit ProposalExecuted(proposalId);
    }

    function _cancel(uint256 proposalId, Proposal storage p) private {
        p.cancelled = true;
        emit ProposalCancelled(proposalId);
    }

    function _setVotingPeriod(uint64 period) private {
        uint64 previous = _votingPeriod;
        _votingPeriod = period;
        emit VotingPeriodChanged(previous, period);
    }

    function _addMember(address account, address sealer) private {
        if (_members.length >= _MAX_MEMBERS) revert GovernanceTooManyMembers(_MAX_MEMBERS);
        if (sealer != address(0)) {
            address holder = _memberOfSealer[sealer];
            if (holder != address(0)) revert GovernanceSealerTaken(sealer, holder);
            _memberOfSealer[sealer] = account;
        }
        _members.push(account);
        _isMember[account] = true;
        _sealerOf[account] = sealer;
        _memberSince[account] = _proposals.length;
        emit MemberAdded(account, sealer);
    }

    function _removeMember(address account) private {
        uint256 last = _members.length - 1;
        for (uint256 i = 0; i <= last; i++) {
            if (_members[i] == account) {
                _members[i] = _members[last];
                break;
            }
        }
        _members.pop();
        _isMember[account] = false;
        address sealer = _sealerOf[account];
        if (sealer != address(0)) delete _memberOfSealer[sealer];
        delete _sealerOf[account];
        emit MemberRemoved(account);
    }
}
