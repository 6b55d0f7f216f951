// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ZkVerifier
/// @notice Checks lienchain's range-based zero-knowledge proofs on BN254 with the EVM precompiles
/// 0x06 (ecAdd) and 0x07 (ecMul): that a committed amount is in range, that it is at most a
/// threshold of a public valuation (loan-to-value), and that a sum of committed amounts is at most
/// a public limit (exposure). It accepts and refuses exactly the proofs the Python verifier
/// (lienchain.zk) accepts and refuses: the same Fiat-Shamir transcript, the same checks.
/// @dev Proof layout, per bit, least significant first: C_i, A0, A1 (64 bytes each: x, y),
/// c0, z0, z1 (32 bytes each). Points must be canonical curve points other than the identity;
/// scalars must be below the group order. Every function returns false for anything invalid.
contract ZkVerifier {
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev H = try-and-increment hash-to-curve of "lienchain/pedersen/H/v1" (see zk/generators.py).
    uint256 internal constant HX = 0x0a27a37069e4cf2a405f45b45fae96c280485cb05c3559eb7d1ce2845a6d8d7c;
    uint256 internal constant HY = 0x14d82f4d03dafb9c680f2e88f2de33fe7779e1caf838ea56e555b40c84b0d108;
    uint256 internal constant BIT_BYTES = 288;

    /// @notice A precompile refused its input (cannot happen for the checked points passed to it).
    error ZkPrecompileFailed();

    /// @notice Checks that `commitment` opens to an amount in [0, 2**bits).
    function verifyRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 bits,
        bytes calldata proof
    ) external view returns (bool) {
        if (!_valid(commitment[0], commitment[1])) return false;
        bytes32 s = _start("lienchain/range/v1", chainId, target, subject);
        s = _append(s, "C", abi.encodePacked(commitment[0], commitment[1]));
        return _verifyBits(s, commitment[0], commitment[1], bits, proof);
    }

    /// @notice Checks that the amount in `commitment` is at most `thresholdBps` of `valuation`
    /// less `deducted` (the public liens ahead of it): a range proof that D = L*G - C opens to a
    /// value below 2**n, with L = floor(thresholdBps * valuation / 10000) - deducted and n the bit
    /// length of L (at least 1). Sound only together with C's own 40-bit range proof from the
    /// lien's grant (see zk/ltv.py). False for a malformed statement: a valuation outside
    /// (0, 2**40), a threshold outside 1-10000 bps, a deduction of 2**40 or more, or L < 0.
    function verifyLtv(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 valuation,
        uint256 thresholdBps,
        uint256 deducted,
        bytes calldata proof
    ) external view returns (bool) {
        if (valuation == 0 || valuation >= 2 ** 40 || thresholdBps == 0 || thresholdBps > 10_000) return false;
        if (deducted >= 2 ** 40) return false;
        uint256 limit = thresholdBps * valuation / 10_000;
        if (deducted > limit) return false;
        limit -= deducted;
        if (!_valid(commitment[0], commitment[1])) return false;
        bytes32 s = _start("lienchain/ltv/v2", chainId, target, subject);
        s = _append(s, "C", abi.encodePacked(commitment[0], commitment[1]));
        s = _append(s, "V", abi.encodePacked(valuation));
        s = _append(s, "k", abi.encodePacked(thresholdBps));
        s = _append(s, "d", abi.encodePacked(deducted));
        // D = L*G - C: a commitment to L - amount.
        (uint256 dx, uint256 dy) = _mul(1, 2, limit);
        (dx, dy) = _add(dx, dy, commitment[0], P - commitment[1]);
        return _verifyBits(s, dx, dy, _bitLength(limit), proof);
    }

    /// @notice Checks that the amounts in `commitments` add up to at most `limit`.
    function verifyExposure(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2][] calldata commitments,
        uint256 limit,
        bytes calldata proof
    ) external view returns (bool) {
        if (commitments.length == 0 || limit >= 2 ** 48) return false;
        bytes32 s = _start("lienchain/exposure/v1", chainId, target, subject);
        s = _append(s, "N", abi.encodePacked(limit));
        s = _append(s, "n", abi.encodePacked(commitments.length));
        (uint256 dx, uint256 dy) = _mul(1, 2, limit);
        for (uint256 i = 0; i < commitments.length; i++) {
            uint256[2] calldata c = commitments[i];
            if (!_valid(c[0], c[1])) return false;
            s = _append(s, "C", abi.encodePacked(c[0], c[1]));
            (dx, dy) = _add(dx, dy, c[0], P - c[1]);
        }
        return _verifyBits(s, dx, dy, 48, proof);
    }

    /// @dev The bit proofs, then the sum of 2^i * C_i against the target (tx, ty), which may be
    /// the identity (0, 0).
    function _verifyBits(bytes32 s, uint256 tx, uint256 ty, uint256 bits, bytes calldata proof)
        internal
        view
        returns (bool)
    {
        if (proof.length != bits * BIT_BYTES) return false;
        s = _append(s, "bits", abi.encodePacked(bits));
        for (uint256 i = 0; i < bits; i++) {
            bytes calldata b = proof[i * BIT_BYTES:(i + 1) * BIT_BYTES];
            for (uint256 j = 0; j < 3; j++) {
                if (!_valid(_word(b, 2 * j), _word(b, 2 * j + 1))) return false;
            }
            if (_word(b, 6) >= R || _word(b, 7) >= R || _word(b, 8) >= R) return false;
            s = _append(s, "Ci", b[0:64]);
            s = _append(s, "A0", b[64:128]);
            s = _append(s, "A1", b[128:192]);
        }
        uint256 c = uint256(keccak256(abi.encodePacked(s, "challenge", "c"))) % R;
        uint256 ax;
        uint256 ay;
        for (uint256 k = bits; k > 0; k--) {
            bytes calldata b = proof[(k - 1) * BIT_BYTES:k * BIT_BYTES];
            if (!_bitHolds(b, c)) return false;
            // Horner: acc = 2 * acc + C_i, from the most significant bit down.
            (ax, ay) = _add(ax, ay, ax, ay);
            (ax, ay) = _add(ax, ay, _word(b, 0), _word(b, 1));
        }
        return ax == tx && ay == ty;
    }

    /// @dev z0*H == A0 + c0*C_i and z1*H == A1 + c1*(C_i - G), with c1 = c - c0.
    function _bitHolds(bytes calldata b, uint256 c) internal view returns (bool) {
        uint256 c0 = _word(b, 6);
        if (!_branch(b, _word(b, 0), _word(b, 1), c0, 2, 7)) return false;
        (uint256 sx, uint256 sy) = _add(_word(b, 0), _word(b, 1), 1, P - 2); // C_i - G
        return _branch(b, sx, sy, addmod(c, R - c0, R), 4, 8);
    }

    /// @dev z*H == A + e*(x, y), with A the point at word `a` of the bit proof and z the word `z`.
    function _branch(bytes calldata b, uint256 x, uint256 y, uint256 e, uint256 a, uint256 z)
        internal
        view
        returns (bool)
    {
        (uint256 lx, uint256 ly) = _mul(HX, HY, _word(b, z));
        (uint256 rx, uint256 ry) = _mul(x, y, e);
        (rx, ry) = _add(_word(b, a), _word(b, a + 1), rx, ry);
        return lx == rx && ly == ry;
    }

    /// @dev max(1, the number of bits of x), for x < 2**40.
    function _bitLength(uint256 x) internal pure returns (uint256 n) {
        n = 1;
        while (x >> n != 0) n++;
    }

    function _start(bytes memory protocol, uint256 chainId, address target, bytes calldata subject)
        internal
        pure
        returns (bytes32)
    {
        bytes32 s = keccak256(abi.encodePacked("lienchain-transcript", uint8(protocol.length), protocol));
        return _append(s, "context", abi.encodePacked(chainId, target, subject));
    }

    function _append(bytes32 s, bytes memory label, bytes memory data) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(s, uint8(label.length), label, uint32(data.length), data));
    }

    function _word(bytes calldata b, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(b.offset, mul(i, 32)))
        }
    }

    /// @dev A canonical point of the curve other than the identity (G1 has cofactor 1).
    function _valid(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P || (x == 0 && y == 0)) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    function _add(uint256 x1, uint256 y1, uint256 x2, uint256 y2) internal view returns (uint256 x, uint256 y) {
        uint256[4] memory input = [x1, y1, x2, y2];
        uint256[2] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x06, input, 0x80, out, 0x40)
        }
        if (!ok) revert ZkPrecompileFailed();
        return (out[0], out[1]);
    }

    function _mul(uint256 x1, uint256 y1, uint256 k) internal view returns (uint256 x, uint256 y) {
        uint256[3] memory input = [x1, y1, k];
        uint256[2] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 0x60, out, 0x40)
        }
        if (!ok) revert ZkPrecompileFailed();
        return (out[0], out[1]);
    }
}
