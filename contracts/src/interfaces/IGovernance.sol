// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Majority-vote governance of a lienchain consortium
/// @notice Members propose calls (role grants and revocations on the registry, membership changes
/// of this contract); a proposal is executed as soon as its approvals are more than half of the
/// members it was made with, unless it expired first: a proposal can be approved for the voting
/// period (14 days unless governance votes another) after it was made, and not from then on. Its
/// proposer may cancel it until it runs. No single key administers the consortium. Only the members of the
/// time vote on a proposal, and an approval counts only while its member stays a member: members
/// who leave take their votes with them, and lower the bar of no proposal made before; a member
/// admitted later (or removed and added again) has no vote on the proposals made before.
///
/// Governance is also the record of each member's Clique sealer: the address its node signs blocks
/// with, or the zero address for a member that runs no sealer. A proposal targeting this contract
/// with {batch} makes several changes in one vote, such as admitting a member with its roles.
interface IGovernance {
    /// @notice A proposal as stored on chain.
    struct Proposal {
        address target;
        bytes data;
        string description;
        address proposer;
        uint64 createdAt;
        bool executed;
        /// @dev The number of members when it was made: it carries with more than half of that.
        uint64 memberCount;
        /// @dev The time from which it can no longer be approved: its creation plus the voting period.
        uint64 expiresAt;
        /// @dev Withdrawn by its proposer: it can no longer be approved.
        bool cancelled;
    }

    /// @notice The caller, or the account to remove, is not a member.
    /// @param account That account.
    error GovernanceNotMember(address account);
    /// @notice The account is already a member.
    /// @param account The account (or the zero address, which cannot be a member).
    error GovernanceAlreadyMember(address account);
    /// @notice Removing this member would leave the consortium without members.
    /// @param account The last member.
    error GovernanceLastMember(address account);
    /// @notice The consortium has the most members it may have: every vote counts them in a loop.
    /// @param max The most members.
    error GovernanceTooManyMembers(uint256 max);
    /// @notice The constructor was given no members, a zero address, a duplicate, or not exactly one
    /// sealer per member.
    error GovernanceInvalidMembers();
    /// @notice A sealer address is already the sealer of a member.
    /// @param sealer The sealer address.
    /// @param member The member it belongs to.
    error GovernanceSealerTaken(address sealer, address member);
    /// @notice A batch was given a different number of targets and calldata.
    /// @param targets The number of targets.
    /// @param calls The number of calldata entries.
    error GovernanceBatchMismatch(uint256 targets, uint256 calls);
    /// @notice A proposal's target is not a contract.
    /// @param target The target given.
    error GovernanceInvalidTarget(address target);
    /// @notice No proposal exists with this id.
    /// @param proposalId The proposal id given.
    error GovernanceUnknownProposal(uint256 proposalId);
    /// @notice The member already approved this proposal.
    /// @param proposalId The proposal.
    /// @param member The member.
    error GovernanceAlreadyApproved(uint256 proposalId, address member);
    /// @notice The proposal was already executed.
    /// @param proposalId The proposal.
    error GovernanceAlreadyExecuted(uint256 proposalId);
    /// @notice Membership and the voting period change only through an executed proposal.
    /// @param caller The account that tried.
    error GovernanceOnlySelf(address caller);
    /// @notice The proposal's call reverted; `reason` is its revert data.
    /// @param proposalId The proposal.
    /// @param reason The call's revert data.
    error GovernanceCallFailed(uint256 proposalId, bytes reason);
    /// @notice The member's membership began after the proposal was made: it has no vote on it.
    /// @param proposalId The proposal.
    /// @param member The member.
    error GovernanceNotVoter(uint256 proposalId, address member);
    /// @notice The proposal's voting period is over: it can no longer be approved or carried.
    /// @param proposalId The proposal.
    /// @param deadline The time from which it could no longer be approved.
    error GovernanceProposalExpired(uint256 proposalId, uint64 deadline);
    /// @notice The proposal was cancelled by its proposer: it can no longer be approved or cancelled.
    /// @param proposalId The proposal.
    error GovernanceProposalCancelled(uint256 proposalId);
    /// @notice Only a proposal's proposer may cancel it.
    /// @param proposalId The proposal.
    /// @param caller The account that tried.
    /// @param proposer The proposal's proposer.
    error GovernanceNotProposer(uint256 proposalId, address caller, address proposer);
    /// @notice A voting period must be 1 to 365 days: a shorter one could leave no time to vote on
    /// any proposal, the one to lengthen it included.
    /// @param period The period refused, in seconds.
    error GovernanceInvalidVotingPeriod(uint64 period);
    /// @notice The voting period is given the value it already has.
    /// @param period The current period, in seconds.
    error GovernanceVotingPeriodUnchanged(uint64 period);

    /// @notice A member made a proposal (and approved it).
    /// @param proposalId The proposal.
    /// @param proposer The member who made it.
    /// @param target The contract it calls once approved.
    /// @param data The calldata.
    /// @param description What it does.
    event ProposalCreated(
        uint256 indexed proposalId, address indexed proposer, address indexed target, bytes data, string description
    );
    /// @notice A member approved a proposal.
    /// @param proposalId The proposal.
    /// @param member The member who approved it.
    /// @param approvals The approvals that count, this one included.
    event ProposalApproved(uint256 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice A proposal reached a majority and its call was executed.
    /// @param proposalId The proposal.
    event ProposalExecuted(uint256 indexed proposalId);
    /// @notice A proposal's proposer cancelled it.
    /// @param proposalId The proposal.
    event ProposalCancelled(uint256 indexed proposalId);
    /// @notice A member joined the consortium.
    /// @param account The member.
    /// @param sealer Its Clique sealer address, or the zero address if it runs no sealer.
    event MemberAdded(address indexed account, address indexed sealer);
    /// @notice A member left the consortium.
    /// @param account The former member.
    event MemberRemoved(address indexed account);
    /// @notice The voting period of the proposals made from now on changed.
    /// @param previous The previous period, in seconds.
    /// @param period The new period, in seconds.
    event VotingPeriodChanged(uint64 previous, uint64 period);

    /// @notice Proposes a call and approves it as the proposer. Members only.
    /// @param target The contract to call once a majority approves.
    /// @param data The calldata.
    /// @param description What the proposal does, for the other members.
    /// @return proposalId The proposal's id.
    function propose(address target, bytes calldata data, string calldata description)
        external
        returns (uint256 proposalId);

    /// @notice Approves a proposal; executes it when its approvals are more than half of the members
    /// it was made with. Members since before the proposal was made only, until it expires.
    /// @dev Reverts with {GovernanceProposalCancelled} once cancelled, {GovernanceProposalExpired}
    /// from its `expiresAt` on, {GovernanceNotVoter}
    /// for a member admitted after the proposal was made,
    /// {GovernanceAlreadyExecuted} if it already ran, and {GovernanceCallFailed} if its call reverts
    /// (the approval is then undone and the proposal stays open).
    /// @param proposalId The proposal.
    function approve(uint256 proposalId) external;

    /// @notice Cancels a proposal that has not run: no vote can carry it from then on. Its proposer
    /// only, while a member.
    /// @dev Reverts with {GovernanceNotProposer} for anyone else, {GovernanceAlreadyExecuted} once
    /// it ran and {GovernanceProposalCancelled} if it is cancelled already.
    /// @param proposalId The proposal.
    function cancel(uint256 proposalId) external;

    /// @notice Adds a member with its sealer. Only through an executed proposal.
    /// @param account The new member.
    /// @param sealer Its Clique sealer address: the zero address if it runs no sealer, else one that
    /// is no other member's sealer.
    function addMember(address account, address sealer) external;

    /// @notice Removes a member and forgets its sealer. Only through an executed proposal.
    /// @param account The member to remove.
    function removeMember(address account) external;

    /// @notice Sets the voting period of the proposals made from now on. Only through an executed
    /// proposal.
    /// @dev Reverts with {GovernanceInvalidVotingPeriod} outside 1 to 365 days and
    /// {GovernanceVotingPeriodUnchanged} for the current period.
    /// @param period The period, in seconds.
    function setVotingPeriod(uint64 period) external;

    /// @notice Makes several calls in order, all or nothing. Only through an executed proposal.
    /// @dev If a call reverts, reverts with that call's own revert data, which the proposal wraps in
    /// {GovernanceCallFailed}. A target without code reverts with {GovernanceInvalidTarget}.
    /// @param targets The contracts to call.
    /// @param data The calldata of each call, one per target.
    function batch(address[] calldata targets, bytes[] calldata data) external;

    /// @notice Returns a member's Clique sealer address.
    /// @param member The member.
    /// @return The sealer, or the zero address if the account runs no sealer or is no member.
    function sealerOf(address member) external view returns (address);

    /// @notice Returns the sealers of the current members, in member order, leaving out members
    /// that run no sealer.
    /// @return The sealer addresses.
    function sealers() external view returns (address[] memory);

    /// @notice Returns the current members.
    /// @return The members' addresses.
    function members() external view returns (address[] memory);

    /// @notice Returns whether an account is a member.
    /// @param account The account.
    /// @return True for a member.
    function isMember(address account) external view returns (bool);

    /// @notice Returns a proposal.
    /// @param proposalId The proposal.
    /// @return The proposal record.
    function proposal(uint256 proposalId) external view returns (Proposal memory);

    /// @notice Returns how many current members, members since before the proposal was made,
    /// approved it.
    /// @param proposalId The proposal.
    /// @return The number of approvals.
    function approvals(uint256 proposalId) external view returns (uint256);

    /// @notice Returns whether a member's approval of a proposal counts: the account is a member, has
    /// been since before the proposal was made, and approved it.
    /// @param proposalId The proposal.
    /// @param member The member.
    /// @return True once approved.
    function hasApproved(uint256 proposalId, address member) external view returns (bool);

    /// @notice Returns the number of proposals ever made; ids run from 1 to this number.
    /// @return The number of proposals.
    function proposalCount() external view returns (uint256);

    /// @notice Returns how long a proposal made now can be approved.
    /// @return The voting period, in seconds.
    function votingPeriod() external view returns (uint64);
}
