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

    /// @notice Reviews a title as of now, emitting what time alone changed since its last operation
    /// (a valuation ageing out, an oracle's role revoked): `LienProofDue`, `LtvAlert` or
    /// `LtvRecovered`. Anyone may; it changes nothing else.
    /// @param tokenId The title.
    function reviewTitle(uint256 tokenId) external;

    /// @notice The latest valuation of each oracle that valued the title, in the order they first did.
    /// @param tokenId The title.
    /// @return The valuations, fresh and stale.
    function valuations(uint256 tokenId) external view returns (ITitleRegistry.Valuation[] memory);
}
