// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
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
    /// @dev The registry's roles (its constants; a module reads them from its own code).
    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    address private immutable _registry;

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
        Titles.review(_existingTitle($, tokenId), $.liens, $.settings, tokenId);
    }

    /// @inheritdoc ITitleLifecycle
    function brandTitle(uint256 tokenId, ITitleRegistry.Brand brand, string calldata docCid) external throughRegistry {
        _checkRole(_REGISTRAR_ROLE);
        Titles.State storage t = _liveTitle(RegistryStorage.layout(), tokenId);
        if (bytes(docCid).length == 0) revert ITitleRegistry.RegistryDocumentRequired();
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
        if (bytes(evidenceCid).length == 0) revert ITitleRegistry.RegistryDocumentRequired();
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

    // --- state changes: one function each, its event right after the write; wallets are told
    // (a title's `tokenURI` shows its brands) -----------------------------------------------

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
        if (!IAccessControl(address(this)).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
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
