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

    /// @notice Brands a title (REGISTRAR): salvage, flood, rebuilt, junk or odometer-not-actual.
    /// The brand stays with the title through every transfer and disposition, and shows in its
    /// `tokenURI`; only a member vote removes it ({removeBrand}). Refused for a brand the title
    /// carries already ({ITitleRegistry-RegistryBrandPresent}) and on a cancelled title.
    /// @param tokenId The title.
    /// @param brand The brand.
    /// @param docCid The CID of the sealed document of the brand (an insurer's total-loss report).
    function brandTitle(uint256 tokenId, ITitleRegistry.Brand brand, string calldata docCid) external;

    /// @notice Removes a brand from a title, on evidence (governance only: a registrar gets
    /// {ITitleRegistry-RegistryBrandRemovalNeedsVote}). Refused for a brand the title does not
    /// carry and on a cancelled title.
    /// @param tokenId The title.
    /// @param brand The brand.
    /// @param evidenceCid The CID of the sealed evidence document (a court order, an inspection).
    function removeBrand(uint256 tokenId, ITitleRegistry.Brand brand, string calldata evidenceCid) external;

    /// @notice Records an odometer reading of a title (REGISTRAR), outside a transfer (which
    /// records one too). A reading below the last one is refused
    /// ({ITitleRegistry-RegistryOdometerRollback}) unless the title is branded odometer-not-actual.
    /// Refused on a cancelled title.
    /// @param tokenId The title.
    /// @param km The reading, in kilometres.
    /// @param docCid The CID of the sealed document of the reading (an inspection report).
    function recordOdometer(uint256 tokenId, uint32 km, string calldata docCid) external;

    /// @notice The latest valuation of each oracle that valued the title, in the order they first did.
    /// @param tokenId The title.
    /// @return The valuations, fresh and stale.
    function valuations(uint256 tokenId) external view returns (ITitleRegistry.Valuation[] memory);
}
