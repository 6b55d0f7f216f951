// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Titles} from "./Titles.sol";

/// @title RegistryStorage
/// @notice The registry's own state, in one ERC-7201 namespace.
/// @dev {TitleRegistry} and its modules (see {TitleLifecycle}) run on the registry's storage: the
/// modules by DELEGATECALL from the registry's fallback. They share no inheritance, so none can
/// rely on the order of another's state variables; every one of them reaches the registry's state
/// through `layout()` alone, at a slot no inherited variable can reach (OpenZeppelin's ERC721,
/// AccessControl and EIP712 take slots 0 to 8). A module declares no state variable of its own
/// (tests/contracts/test_registry_split.py checks both, from solc's storage layout).
///
/// The registry and its modules are created together and never replaced, so the struct may change
/// freely from one deployment to the next; within one, the struct's definition is compiled once
/// and shared.
library RegistryStorage {
    /// @custom:storage-location erc7201:lienchain.storage.TitleRegistry
    struct Layout {
        mapping(uint256 tokenId => Titles.State) titles;
        /// @dev By lien id - 1: ids run from 1, so that 0 means "none".
        Titles.LienState[] liens;
        mapping(bytes32 digest => bool) consentUsed;
        Titles.Settings settings;
        /// @dev Who anchored each document first (by keccak256 of its CID), and about what: the
        /// sender of the first step that carried it, and that step's title and lien. The document
        /// registry records a document only from that account and about that subject, so no member
        /// can claim another's document, nor start its own document's retention clock early.
        mapping(bytes32 cidHash => Anchored) anchored;
    }

    /// @dev A document's first anchoring: by whom, about which title and lien (0 for the title).
    struct Anchored {
        address author;
        uint96 lienId;
        uint256 tokenId;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("lienchain.storage.TitleRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant SLOT = 0x65e946fe1e8360764d2331d65de3dc5608ed12c92708a75fdb89d8b1750ef900;

    /// @notice Remembers who anchored a document first, and the subject of that step.
    function anchor(Layout storage $, string memory cid, uint256 tokenId, uint256 lienId) internal {
        Anchored storage a = $.anchored[keccak256(bytes(cid))];
        // A lien id is at most the count of liens plus one: far below 2**96.
        if (a.author == address(0)) (a.author, a.lienId, a.tokenId) = (msg.sender, uint96(lienId), tokenId);
    }

    /// @notice The registry's state, wherever the calling code runs on the registry's storage.
    function layout() internal pure returns (Layout storage l) {
        assembly {
            l.slot := SLOT
        }
    }
}
