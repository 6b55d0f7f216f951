// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IZkVerifier} from "./interfaces/IZkVerifier.sol";

/// @title ZkVerifier
/// @notice Checks lienchain's range-based zero-knowledge proofs on BN254 with the EVM precompiles
/// 0x06 (ecAdd) and 0x07 (ecMul): that a committed amount is in range, that it is at most a
/// threshold of a public valuation less the liens ahead of it (loan-to-value), and that a sum of
/// committed amounts is at most a public limit (exposure). It accepts and refuses exactly the
/// proofs the Python verifier (lienchain.zk) accepts and refuses: the same Fiat-Shamir transcript,
/// the same batched check (see zk/range.py).
/// @dev Proof layout for n bits: n / 2 digits of radix 4 and, if n is odd, one of radix 2 on top,
/// least significant first. First every point (64 bytes: x, y), for each digit C, A_0 .. A_{k-1};
/// then every scalar (32 bytes), for each digit c_0 .. c_{k-2}, z_0 .. z_{k-1}. Points must be
/// canonical curve points other than the identity; scalars must be below the group order. Every
/// function returns false for anything invalid.
contract ZkVerifier is IZkVerifier {
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev H = try-and-increment hash-to-curve of "lienchain/pedersen/H/v1" (see zk/generators.py).
    uint256 internal constant HX = 0x0a27a37069e4cf2a405f45b45fae96c280485cb05c3559eb7d1ce2845a6d8d7c;
    uint256 internal constant HY = 0x14d82f4d03dafb9c680f2e88f2de33fe7779e1caf838ea56e555b40c84b0d108;
    /// @dev A range proof takes 1 to MAX_BITS bits (zk/range.py).
    uint256 internal constant MAX_BITS = 64;

    /// @inheritdoc IZkVerifier
    /// @dev False for a commitment that is not a canonical curve point.
    function opens(uint256[2] calldata commitment, uint256 amount, uint256 blinding) external view returns (bool) {
        if (amount >= 2 ** 40 || blinding >= R || !_valid(commitment[0], commitment[1])) return false;
        (uint256 ax, uint256 ay) = _mul(1, 2, amount);
        (uint256 bx, uint256 by) = _mul(HX, HY, blinding);
        (uint256 x, uint256 y) = _add(ax, ay, bx, by);
        return x == commitment[0] && y == commitment[1];
    }

    /// @inheritdoc IZkVerifier
    /// @dev False for bits outside 1-64.
    function verifyRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 bits,
        bytes calldata proof
    ) external view returns (bool) {
        return _verifyRange(chainId, target, subject, commitment[0], commitment[1], bits, proof);
    }

    /// @inheritdoc IZkVerifier
    /// @dev False for bits outside 1-64, and for a commitment equal to G (less G, the identity).
    function verifyPositiveRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2] calldata commitment,
        uint256 bits,
        bytes calldata proof
    ) external view returns (bool) {
        if (!_valid(commitment[0], commitment[1])) return false;
        (uint256 x, uint256 y) = _add(commitment[0], commitment[1], 1, P - 2); // C + (-G)
        return _verifyRange(chainId, target, subject, x, y, bits, proof);
    }

    /// @inheritdoc IZkVerifier
    /// @dev `deducted` is the amount of the public liens ahead of it. A range proof that D = L*G - C opens to a
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
        bytes32 s = _start("lienchain/ltv/v3", chainId, target, subject);
        s = _append(s, "C", abi.encodePacked(commitment[0], commitment[1]));
        s = _append(s, "V", abi.encodePacked(valuation));
        s = _append(s, "k", abi.encodePacked(thresholdBps));
        s = _append(s, "d", abi.encodePacked(deducted));
        // -D = C - L*G.
        return _verifyDigits(s, commitment[0], commitment[1], R - limit, _bitLength(limit), proof);
    }

    /// @inheritdoc IZkVerifier
    /// @dev A range proof that D = limit*G - sum(C_j) opens to a value below 2**n, n the bit
    /// length of `limit` (at least 1). Sound only together with each private C_j's 40-bit range
    /// proof from its lien's grant (see zk/exposure.py). False without a commitment or for a
    /// limit of 2**48 or more.
    function verifyExposure(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256[2][] calldata commitments,
        uint256 limit,
        bytes calldata proof
    ) external view returns (bool) {
        if (commitments.length == 0 || limit >= 2 ** 48) return false;
        bytes32 s = _start("lienchain/exposure/v3", chainId, target, subject);
        s = _append(s, "N", abi.encodePacked(limit));
        s = _append(s, "n", abi.encodePacked(commitments.length));
        uint256 sx;
        uint256 sy;
        for (uint256 i = 0; i < commitments.length; i++) {
            uint256[2] calldata c = commitments[i];
            if (!_valid(c[0], c[1])) return false;
            s = _append(s, "C", abi.encodePacked(c[0], c[1]));
            (sx, sy) = _add(sx, sy, c[0], c[1]);
        }
        // -D = sum(C_j) - limit*G.
        return _verifyDigits(s, sx, sy, R - limit, _bitLength(limit), proof);
    }

    /// @dev `verifyRange` on the commitment (cx, cy).
    function _verifyRange(
        uint256 chainId,
        address target,
        bytes calldata subject,
        uint256 cx,
        uint256 cy,
        uint256 bits,
        bytes calldata proof
    ) internal view returns (bool) {
        if (bits == 0 || bits > MAX_BITS) return false;
        if (!_valid(cx, cy)) return false;
        bytes32 s = _start("lienchain/range/v2", chainId, target, subject);
        s = _append(s, "C", abi.encodePacked(cx, cy));
        // -D = -C (no point of G1 has y = 0: its order would be 2).
        return _verifyDigits(s, cx, P - cy, 0, bits, proof);
    }

    /// @dev The range proof of `bits` bits on the commitment D, given as -D = (nx, ny) + ng*G
    /// ((nx, ny) may be the identity (0, 0)), continuing transcript state `s`: see zk/range.py.
    function _verifyDigits(bytes32 s, uint256 nx, uint256 ny, uint256 ng, uint256 bits, bytes calldata proof)
        internal
        view
        returns (bool)
    {
        // 320 bytes of points and 224 of scalars a radix-4 digit, 192 and 96 the radix-2 top digit.
        uint256 pointsLength = (bits / 2) * 320 + (bits % 2) * 192;
        if (proof.length != pointsLength + (bits / 2) * 224 + (bits % 2) * 96) return false;
        (uint256 c, uint256 w) = _challenges(s, bits, proof, pointsLength);
        return _batch(c, w, nx, ny, ng, bits, proof, pointsLength);
    }

    /// @dev The transcript after the statement: absorbs "bits", "points" (the proof's first
    /// `pointsLength` bytes), draws c, absorbs "scalars" (the rest), draws w. Each labelled append
    /// is keccak256(s || uint8(len) || label || uint32(n) || data), hashed from a buffer at the
    /// free memory pointer, never allocated: no memory growth beyond the buffer's own.
    function _challenges(bytes32 s, uint256 bits, bytes calldata proof, uint256 pointsLength)
        internal
        pure
        returns (uint256 c, uint256 w)
    {
        assembly ("memory-safe") {
            // Writes s and the header at t (one word: labels are at most 7 bytes); the caller puts
            // the data at t + 37 + len and hashes 37 + len + n bytes from t.
            function head(t, s_, label, len, n) {
                mstore(t, s_)
                mstore(add(t, 0x20), or(or(shl(248, len), shl(sub(248, mul(8, len)), label)), shl(sub(216, mul(8, len)), n)))
            }
            // A challenge: keccak256(s || "challenge" || label) mod R, then absorbed as a 32-byte scalar.
            function challenge(t, s_, label) -> s2, e {
                mstore(t, s_)
                mstore(add(t, 0x20), shl(176, or(shl(8, 0x6368616c6c656e6765), label))) // "challenge" || label
                e := mod(keccak256(t, 42), R)
                head(t, s_, label, 1, 32)
                mstore(add(t, 38), e)
                s2 := keccak256(t, 70)
            }

            let t := mload(0x40)
            let n := sub(proof.length, pointsLength)
            head(t, s, 0x62697473, 4, 32) // "bits"
            mstore(add(t, 41), bits)
            s := keccak256(t, 73)
            head(t, s, 0x706f696e7473, 6, pointsLength) // "points"
            calldatacopy(add(t, 43), proof.offset, pointsLength)
            s := keccak256(t, add(43, pointsLength))
            s, c := challenge(t, s, 0x63) // "c"
            head(t, s, 0x7363616c617273, 7, n) // "scalars"
            calldatacopy(add(t, 44), add(proof.offset, pointsLength), n)
            s := keccak256(t, add(44, n))
            s, w := challenge(t, s, 0x77) // "w"
        }
    }

    /// @dev The batched check, with the transcript's challenges c and w:
    /// -D + sum(4^i*C_i) + sum(w^e * (z_ij*H - A_ij - c_ij*(C_i - j*G))) == O, checking every
    /// point and scalar of the proof on the way. One precompile multiplication per point of the
    /// proof, two more for H and G. In assembly over a scratch area at the free memory pointer m,
    /// never allocated (the functions find it at mload(0x40)); its words from m:
    ///   0x00 c, 0x20 w, 0x40 the current weight w^e, 0x60 and 0x80 the coefficients of H and G,
    ///   0xa0 the place value 4^i of the current digit, 0xc0 the coefficient of its C_i, 0xe0 the
    ///   sum of its challenges so far, 0x100 R and 0x120 P (read from memory: as literals, the
    ///   optimizer would copy them from code at each use), 0x140 the running sum (2 words), and
    ///   0x180 the precompiles' input (3 words).
    function _batch(
        uint256 c,
        uint256 w,
        uint256 nx,
        uint256 ny,
        uint256 ng,
        uint256 bits,
        bytes calldata proof,
        uint256 pointsLength
    ) internal view returns (bool ok) {
        assembly ("memory-safe") {
            function onCurve(x, y) -> v {
                let p_ := mload(add(mload(0x40), 0x120))
                v := and(and(lt(x, p_), lt(y, p_)), iszero(iszero(or(x, y))))
                v := and(v, eq(mulmod(y, y, p_), addmod(mulmod(mulmod(x, x, p_), x, p_), 3, p_)))
            }
            // The running sum += k * (x, y).
            function addMul(x, y, k) {
                let e := add(mload(0x40), 0x140)
                mstore(add(e, 0x40), x)
                mstore(add(e, 0x60), y)
                mstore(add(e, 0x80), k)
                // One call a statement, each followed by its size check: Yul evaluates arguments
                // right to left, and an address without code (a chain without the precompiles)
                // "succeeds" with no output, leaving the input words as a junk result.
                let done := staticcall(gas(), 0x07, add(e, 0x40), 0x60, add(e, 0x40), 0x40)
                done := and(done, eq(returndatasize(), 0x40))
                done := and(done, staticcall(gas(), 0x06, e, 0x80, e, 0x40))
                if iszero(and(done, eq(returndatasize(), 0x40))) {
                    mstore(0, shl(224, 0x90e443ed)) // ZkPrecompileFailed()
                    revert(0, 4)
                }
            }
            // Branch j of a digit of radix last + 1 (points from p, scalars from q): checks A_j,
            // c_j (c less the others' for the last branch) and z_j; weight *= w; H's coefficient
            // += weight * z_j, G's += weight * c_j * j, C_i's -= weight * c_j; the sum -= weight * A_j.
            function branch(p, q, last, j) -> valid {
                let m := mload(0x40)
                let r := mload(add(m, 0x100))
                let ax := calldataload(add(p, shl(6, add(j, 1))))
                let ay := calldataload(add(p, add(shl(6, add(j, 1)), 0x20)))
                let zj := calldataload(add(q, shl(5, add(last, j))))
                let cj := addmod(mload(m), sub(r, mload(add(m, 0xe0))), r)
                if lt(j, last) {
                    cj := calldataload(add(q, shl(5, j)))
                    mstore(add(m, 0xe0), addmod(mload(add(m, 0xe0)), cj, r))
                }
                valid := and(onCurve(ax, ay), and(lt(cj, r), lt(zj, r)))
                if valid {
                    let weight := mulmod(mload(add(m, 0x40)), mload(add(m, 0x20)), r)
                    mstore(add(m, 0x40), weight)
                    mstore(add(m, 0x60), addmod(mload(add(m, 0x60)), mulmod(weight, zj, r), r))
                    cj := mulmod(weight, cj, r)
                    mstore(add(m, 0x80), addmod(mload(add(m, 0x80)), mulmod(cj, j, r), r))
                    mstore(add(m, 0xc0), addmod(mload(add(m, 0xc0)), sub(r, cj), r))
                    addMul(ax, sub(mload(add(m, 0x120)), ay), weight) // no point of G1 has y = 0
                }
            }
            // A digit of radix last + 1, points from p and scalars from q: C_i and its branches,
            // then the sum += C_i's coefficient (4^i less the weighted challenges) * C_i.
            function digit(p, q, last) -> valid {
                let m := mload(0x40)
                valid := onCurve(calldataload(p), calldataload(add(p, 0x20)))
                mstore(add(m, 0xc0), mload(add(m, 0xa0)))
                mstore(add(m, 0xe0), 0)
                for { let j := 0 } and(valid, iszero(gt(j, last))) { j := add(j, 1) } {
                    valid := branch(p, q, last, j)
                }
                if valid { addMul(calldataload(p), calldataload(add(p, 0x20)), mload(add(m, 0xc0))) }
                mstore(add(m, 0xa0), shl(2, mload(add(m, 0xa0))))
            }

            let m := mload(0x40)
            mstore(m, c)
            mstore(add(m, 0x20), w)
            mstore(add(m, 0x40), 1) // w^0
            mstore(add(m, 0x60), 0)
            mstore(add(m, 0x80), ng)
            mstore(add(m, 0xa0), 1) // 4^0
            mstore(add(m, 0x100), R)
            mstore(add(m, 0x120), P)
            mstore(add(m, 0x140), nx)
            mstore(add(m, 0x160), ny)
            ok := 1
            let p := proof.offset
            let q := add(proof.offset, pointsLength)
            for { let i := shr(1, bits) } and(ok, gt(i, 0)) { i := sub(i, 1) } {
                ok := digit(p, q, 3)
                p := add(p, 320)
                q := add(q, 224)
            }
            if and(ok, and(bits, 1)) { ok := digit(p, q, 1) }
            if ok {
                addMul(HX, HY, mload(add(m, 0x60)))
                addMul(1, 2, mload(add(m, 0x80)))
                ok := iszero(or(mload(add(m, 0x140)), mload(add(m, 0x160))))
            }
        }
    }

    /// @dev max(1, the number of bits of x), for x < 2**48.
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

    /// @dev A canonical point of the curve other than the identity (G1 has cofactor 1).
    function _valid(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P || (x == 0 && y == 0)) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    function _mul(uint256 px, uint256 py, uint256 k) internal view returns (uint256 x, uint256 y) {
        uint256[3] memory input = [px, py, k];
        uint256[2] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 0x60, out, 0x40)
            ok := and(ok, eq(returndatasize(), 0x40)) // see `addMul` in `_batch`
        }
        if (!ok) revert ZkPrecompileFailed();
        return (out[0], out[1]);
    }

    function _add(uint256 x1, uint256 y1, uint256 x2, uint256 y2) internal view returns (uint256 x, uint256 y) {
        uint256[4] memory input = [x1, y1, x2, y2];
        uint256[2] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x06, input, 0x80, out, 0x40)
            ok := and(ok, eq(returndatasize(), 0x40)) // see `addMul` in `_batch`
        }
        if (!ok) revert ZkPrecompileFailed();
        return (out[0], out[1]);
    }
}
