// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ERC-5192: Minimal Soulbound NFTs
/// @notice A token for which `locked` is true cannot be moved by any ERC-721 transfer function.
/// @dev Interface id 0xb45a3c0e.
interface IERC5192 {
    /// @notice A token became locked (or was minted locked).
    /// @param tokenId The token.
    event Locked(uint256 tokenId);

    /// @notice A token became unlocked (or was minted unlocked).
    /// @param tokenId The token.
    event Unlocked(uint256 tokenId);

    /// @notice Whether a token is locked; reverts for a token that does not exist.
    /// @param tokenId The token.
    /// @return Whether it is locked.
    function locked(uint256 tokenId) external view returns (bool);
}
