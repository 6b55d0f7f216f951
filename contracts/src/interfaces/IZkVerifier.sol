// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The zero-knowledge checks the registry relies on (implemented by {ZkVerifier})
/// @notice Each returns true only for a proof made for exactly these inputs: this chain id,
/// `target` (the contract that checks it) and `subject` (what it is about) included.
interface IZkVerifier {
    /// @notice A precompile refused its input (cannot happen for the checked points passed to it).
    error ZkPrecompileFailed();

    /// @notice Whether `commitment` is amount*G + blinding*H for an amount below 2**40 and a
    /// blinding factor below the group order: an opening, which binds (no one knows log_G(H)).
    function opens(uint256[2] calldata commitment, uint256 amount, uint256 blinding) external view returns (bool);

    /// @notice Whether `proof` shows that `commitment` opens to an amount in [0, 2**bits).
    function verifyRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 bits,
        bytes calldata proof
    ) external view returns (bool);

    /// @notice Whether `proof` shows that `commitment` opens to an amount in [1, 2**bits]: a range
    /// proof, as `verifyRange` takes, of `commitment` less G (which opens to the amount less 1).
    function verifyPositiveRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 bits,
        bytes calldata proof
    ) external view returns (bool);

    /// @notice Whether `proof` shows that the amount in `commitment` is at most `thresholdBps`
    /// of `valuation` less `deducted`.
    function verifyLtv(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 valuation,
        uint256 thresholdBps,
        uint256 deducted,
        bytes calldata proof
    ) external view returns (bool);

    /// @notice Whether `proof` shows that the amounts in `commitments` add up to at most `limit`.
    function verifyExposure(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2][] calldata commitments,
        uint256 limit,
        bytes calldata proof
    ) external view returns (bool);
}
