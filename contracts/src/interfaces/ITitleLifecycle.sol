// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITitleRegistry} from "./ITitleRegistry.sol";

/// @title The registry's operations that run in its lifecycle module
/// @notice These are functions of the registry's own address, as much as those of
/// {ITitleRegistry}: the registry's fallback runs them in {TitleLifecycle} by DELEGATECALL, on
/// the registry's storage, with the registry's events and errors. A client's ABI of the registry
/// is the union of both interfaces (and ERC-721, AccessControl); no selector is in both.
interface ITitleLifecycle {
    /// @notice The lifecycle module was called at its own address instead of through the registry.
    error LifecycleDirectCall();
    /// @notice An assignment's or a subordination's acceptance has expired.
    /// @param deadline Its deadline (unix time).
    error RegistryAcceptanceExpired(uint64 deadline);
    /// @notice An acceptance was already used for this lien: each accepts one assignment or
    /// subordination of each lien it covers.
    /// @param lienId The lien.
    /// @param digest The acceptance's EIP-712 digest.
    error RegistryAcceptanceUsed(uint256 lienId, bytes32 digest);
    /// @notice The acceptance was not signed by the one who must accept (the assignee, or the
    /// holder of the lien a senior subordinates itself to), or does not cover this lien, or is
    /// for other terms (it then recovers to an unrelated address, or to none: the zero address).
    /// @param lienId The lien.
    /// @param signer The address the signature recovers to.
    error RegistryNotAccepted(uint256 lienId, address signer);
    /// @notice A lien is assigned only to another holder of the LENDER role.
    /// @param assignee The account given.
    error RegistryInvalidAssignee(address assignee);
    /// @notice A batch's lists differ in length, or it is empty.
    error RegistryBatchMismatch();
    /// @notice A lien subordinates itself only to an active junior lien on the same title.
    /// @param lienId The lien to subordinate.
    /// @param behindLienId The lien it was to rank behind.
    error RegistryNotSenior(uint256 lienId, uint256 behindLienId);
    /// @notice A private lien stays its title's first lien (its juniors could not have consented to
    /// an amount they cannot see): its holder reveals it before it ranks behind another.
    /// @param lienId The private lien.
    error RegistryPrivateLienStaysFirst(uint256 lienId);

    /// @notice A lienholder assigned (sold) a lien: the new holder releases it, consents to junior
    /// liens and is paid from it; it keeps its priority and its grant time.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param from The holder before.
    /// @param to The new holder.
    /// @param docCid The CID of the assignment's sealed document (for a private lien, it carries
    /// the amount's opening for the new holder).
    event LienAssigned(uint256 indexed lienId, uint256 indexed tokenId, address from, address indexed to, string docCid);
    /// @notice A senior lienholder subordinated its lien to a junior one, which accepted: the
    /// senior now ranks right behind it, and the liens between them move up one place each.
    /// @param lienId The lien that moved down.
    /// @param tokenId Its title.
    /// @param behindLienId The lien it now ranks behind.
    /// @param previousOrder The title's active liens in priority order before.
    /// @param order The title's active liens in priority order now.
    /// @param docCid The CID of the subordination agreement's sealed document.
    event LienSubordinated(
        uint256 indexed lienId,
        uint256 indexed tokenId,
        uint256 behindLienId,
        uint256[] previousOrder,
        uint256[] order,
        string docCid
    );

    /// @notice Reviews a title as of now, emitting what time alone changed since its last operation
    /// (a valuation ageing out, an oracle's role revoked): `LienProofDue`, `LtvAlert` or
    /// `LtvRecovered`. Anyone may; it changes nothing else.
    /// @param tokenId The title.
    function reviewTitle(uint256 tokenId) external;

    /// @notice Assigns liens the caller holds to another LENDER, which accepted them: one EIP-712
    /// `LienAssignmentAcceptance(address from, address to, bytes32 liens, uint256 nonce, uint64
    /// deadline)` signed by the assignee, where `liens` is the root of a Merkle tree (OpenZeppelin's
    /// sorted-pair hashing) over the leaves `keccak256(bytes.concat(keccak256(abi.encode(lienId))))`
    /// of a whole portfolio, so that one signature accepts thousands of liens, sent in as many
    /// batches as the sender likes (a single lien's tree is its leaf: an empty proof). Each lien
    /// keeps its priority and grant time; all or none of a batch is assigned.
    /// @param lienIds The liens, active and held by the caller.
    /// @param to The assignee: a LENDER other than the caller.
    /// @param docCids The CID of each lien's sealed assignment document.
    /// @param acceptance The assignee's acceptance (nonce, deadline, signature).
    /// @param liensRoot The root of the accepted portfolio's tree.
    /// @param proofs Each lien's Merkle proof against `liensRoot`.
    function assignLiens(
        uint256[] calldata lienIds,
        address to,
        string[] calldata docCids,
        ITitleRegistry.Authorization calldata acceptance,
        bytes32 liensRoot,
        bytes32[][] calldata proofs
    ) external;

    /// @notice Subordinates the caller's lien to a junior active lien on the same title whose
    /// holder accepted it: EIP-712 `LienSubordination(uint256 lienId, uint256 behindLienId,
    /// uint256 nonce, uint64 deadline)`. The lien then ranks right behind `behindLienId`; the liens
    /// between them move up one place each (none moves down but the caller's).
    /// @param lienId The caller's lien, active and public.
    /// @param behindLienId The junior lien.
    /// @param docCid The CID of the subordination agreement's sealed document.
    /// @param acceptance The junior holder's acceptance.
    function subordinateLien(
        uint256 lienId,
        uint256 behindLienId,
        string calldata docCid,
        ITitleRegistry.Authorization calldata acceptance
    ) external;

    /// @notice The latest valuation of each oracle that valued the title, in the order they first did.
    /// @param tokenId The title.
    /// @return The valuations, fresh and stale.
    function valuations(uint256 tokenId) external view returns (ITitleRegistry.Valuation[] memory);
}
