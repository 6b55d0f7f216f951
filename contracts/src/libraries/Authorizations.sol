// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {Titles} from "./Titles.sol";

/// @title Authorizations
/// @notice Who may let a title take a lien or change hands: the EIP-712 authorizations the
/// registry checks and spends, signed by the title's owner or, where the rules admit one, by a
/// registrar other than the sender.
/// @dev An external library of {TitleRegistry}, as {Titles} is (see there): storage arguments are
/// the registry's, events are logged by it, `msg.sender` is its caller.
library Authorizations {
    /// @dev The EIP-712 type a title's owner (or a registrar) signs to authorize a new lien; a
    /// public lien's commitment is zero, a private one's amount is zero.
    bytes32 private constant _LIEN_AUTHORIZATION_TYPEHASH = keccak256(
        "LienAuthorization(uint256 tokenId,address lender,uint256 amount,bytes32 commitment,bytes3 currency,"
        "uint64 maturity,uint256 nonce,uint64 deadline)"
    );
    /// @dev The EIP-712 type a title's owner (or a second registrar) signs to authorize a transfer.
    bytes32 private constant _TRANSFER_AUTHORIZATION_TYPEHASH =
        keccak256("TransferAuthorization(uint256 tokenId,address from,address to,uint256 nonce,uint64 deadline)");
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice Checks and spends the authorization of a new lien of the caller: signed for these
    /// terms by the title's owner or, under {ITitleRegistry-AuthorizationPolicy-OwnerOrRegistrar},
    /// by a registrar other than the caller; unexpired and unused.
    /// @param used The registry's spent consents and authorizations, by digest.
    /// @param domainSeparator The registry's EIP-712 domain separator.
    /// @param s The registry's settings.
    /// @param terms The lien's terms.
    /// @param commitment A private lien's keccak256(abi.encode(x, y)) of its commitment; zero for a public one.
    /// @param authorization The authorization.
    function authorizeLien(
        mapping(bytes32 digest => bool) storage used,
        bytes32 domainSeparator,
        Titles.Settings storage s,
        Titles.Terms memory terms,
        bytes32 commitment,
        ITitleRegistry.Authorization calldata authorization
    ) external {
        bytes32 structHash = keccak256(abi.encode(
            _LIEN_AUTHORIZATION_TYPEHASH, terms.tokenId, msg.sender, terms.amount, commitment, terms.currency,
            terms.maturity, authorization.nonce, authorization.deadline
        ));
        bool registrarMay = s.authorizationPolicy == ITitleRegistry.AuthorizationPolicy.OwnerOrRegistrar;
        address owner = IERC721(address(this)).ownerOf(terms.tokenId);
        _useAuthorization(used, domainSeparator, terms.tokenId, owner, structHash, authorization, registrarMay);
    }

    /// @notice Checks a transfer the caller (a registrar) records — the title has no active lien,
    /// the new owner is another, real address — and spends its authorization: signed for it by
    /// the title's owner or by a second registrar; unexpired and unused.
    /// @param t The title, active.
    /// @param used The registry's spent consents and authorizations, by digest.
    /// @param domainSeparator The registry's EIP-712 domain separator.
    /// @param tokenId The title.
    /// @param from Its owner.
    /// @param to The new owner.
    /// @param authorization The authorization.
    function authorizeTransfer(
        Titles.State storage t,
        mapping(bytes32 digest => bool) storage used,
        bytes32 domainSeparator,
        uint256 tokenId,
        address from,
        address to,
        ITitleRegistry.Authorization calldata authorization
    ) external {
        uint256 active = t.activeLienIds.length;
        if (active != 0) revert ITitleRegistry.RegistryTitleEncumbered(tokenId, active);
        if (to == address(0) || to == from) revert ITitleRegistry.RegistryInvalidOwner(to);
        bytes32 structHash = keccak256(abi.encode(
            _TRANSFER_AUTHORIZATION_TYPEHASH, tokenId, from, to, authorization.nonce, authorization.deadline
        ));
        _useAuthorization(used, domainSeparator, tokenId, from, structHash, authorization, true);
    }

    // --- internals ----------------------------------------------------------------------------

    /// @dev Checks and spends an authorization of `structHash` signed by `owner` or, if
    /// `registrarMay`, by a registrar other than the caller.
    function _useAuthorization(
        mapping(bytes32 digest => bool) storage used,
        bytes32 domainSeparator,
        uint256 tokenId,
        address owner,
        bytes32 structHash,
        ITitleRegistry.Authorization calldata authorization,
        bool registrarMay
    ) private {
        if (authorization.deadline < block.timestamp) {
            revert ITitleRegistry.RegistryAuthorizationExpired(authorization.deadline);
        }
        bytes32 digest = MessageHashUtils.toTypedDataHash(domainSeparator, structHash);
        if (used[digest]) revert ITitleRegistry.RegistryAuthorizationUsed(digest);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, authorization.signature);
        if (err != ECDSA.RecoverError.NoError) revert ITitleRegistry.RegistryAuthorizationInvalid();
        // One key never authorizes its own lien or transfer as a registrar: that takes a second one.
        bool ok = signer == owner
            || (registrarMay && signer != msg.sender && IAccessControl(address(this)).hasRole(_REGISTRAR_ROLE, signer));
        if (!ok) revert ITitleRegistry.RegistryNotAuthorized(tokenId, signer);
        _spendAuthorization(used, digest, signer, tokenId);
    }

    function _spendAuthorization(
        mapping(bytes32 digest => bool) storage used,
        bytes32 digest,
        address signer,
        uint256 tokenId
    ) private {
        used[digest] = true;
        emit ITitleRegistry.AuthorizationUsed(digest, signer, tokenId);
    }
}
