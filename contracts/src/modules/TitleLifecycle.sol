// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

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

    function _existingTitle(RegistryStorage.Layout storage $, uint256 tokenId)
        private
        view
        returns (Titles.State storage t)
    {
        t = $.titles[tokenId];
        if (t.title.registeredAt == 0) revert ITitleRegistry.RegistryUnknownTitle(tokenId);
    }
}
