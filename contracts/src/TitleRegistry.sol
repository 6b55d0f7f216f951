// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ITitleRegistry} from "./interfaces/ITitleRegistry.sol";

/// @title TitleRegistry
/// @notice Vehicle titles as ERC-721 tokens and the liens on them. See {ITitleRegistry}.
/// @dev The governance contract holds DEFAULT_ADMIN_ROLE and so alone grants and revokes roles;
/// the deployer keeps nothing.
contract TitleRegistry is ITitleRegistry, ERC721, AccessControl, EIP712 {
    /// @inheritdoc ITitleRegistry
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant LENDER_ROLE = keccak256("LENDER_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    bytes32 private constant _CONSENT_TYPEHASH = keccak256(
        "LienConsent(uint256 tokenId,address lender,uint256 amount,bytes3 currency,uint256 nonce,uint64 deadline)"
    );

    /// @dev Bit c is set for each byte value c that may occur in a normalized VIN: 0-9, A-Z without I, O, Q.
    uint256 private constant _VIN_ALPHABET = 0x7fd7dfe03ff000000000000;

    mapping(uint256 tokenId => Title) private _titles;
    mapping(uint256 tokenId => uint256[]) private _liensOf;
    mapping(uint256 tokenId => uint256) private _activeLiens;
    Lien[] private _liens;
    mapping(bytes32 digest => bool) private _consentUsed;

    /// @param governance The governance contract, which becomes the only role administrator.
    constructor(address governance)
        ERC721("lienchain vehicle title", "VTITLE")
        EIP712("lienchain TitleRegistry", "1")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    // --- titles -------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function registerTitle(string calldata vin, address owner, string calldata docCid)
        external
        onlyRole(REGISTRAR_ROLE)
        returns (uint256 tokenId)
    {
        if (!_isNormalizedVin(bytes(vin))) revert RegistryInvalidVIN(vin);
        if (owner == address(0)) revert RegistryInvalidOwner(owner);
        tokenId = uint256(keccak256(bytes(vin)));
        Title storage t = _titles[tokenId];
        if (t.registeredAt != 0) revert RegistryTitleExists(tokenId);
        t.vin = vin;
        t.docCid = docCid;
        t.registeredAt = uint64(block.timestamp); // status Active is the zero value
        _mint(owner, tokenId);
        emit TitleRegistered(tokenId, vin, owner, docCid);
    }

    /// @inheritdoc ITitleRegistry
    function transferTitle(uint256 tokenId, address to, string calldata docCid) external onlyRole(REGISTRAR_ROLE) {
        Title storage t = _existingTitle(tokenId);
        if (t.status != TitleStatus.Active) revert RegistryTitleNotActive(tokenId, t.status);
        uint256 active = _activeLiens[tokenId];
        if (active != 0) revert RegistryTitleEncumbered(tokenId, active);
        address from = _ownerOf(tokenId);
        if (to == address(0) || to == from) revert RegistryInvalidOwner(to);
        t.docCid = docCid;
        _transfer(from, to, tokenId);
        emit TitleTransferred(tokenId, from, to, docCid);
    }

    /// @inheritdoc ITitleRegistry
    function setTitleStatus(uint256 tokenId, TitleStatus status) external onlyRole(REGISTRAR_ROLE) {
        Title storage t = _existingTitle(tokenId);
        TitleStatus previous = t.status;
        if (previous == TitleStatus.Cancelled) revert RegistryTitleCancelled(tokenId);
        if (previous == status) revert RegistryStatusUnchanged(tokenId, status);
        t.status = status;
        emit TitleStatusChanged(tokenId, previous, status);
    }

    // --- liens --------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function grantLien(
        uint256 tokenId,
        uint256 amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid,
        Consent[] calldata consents
    ) external onlyRole(LENDER_ROLE) returns (uint256 lienId) {
        Title storage t = _existingTitle(tokenId);
        if (t.status != TitleStatus.Active) revert RegistryTitleNotActive(tokenId, t.status);
        if (amount == 0) revert RegistryInvalidAmount();
        if (maturity <= block.timestamp) revert RegistryInvalidMaturity(maturity);

        lienId = _liens.length + 1;
        if (_activeLiens[tokenId] != 0) _useConsents(tokenId, amount, currency, consents, lienId);

        uint256[] storage ids = _liensOf[tokenId];
        ids.push(lienId);
        _liens.push(
            Lien({
                tokenId: tokenId,
                lender: msg.sender,
                maturity: maturity,
                grantedAt: uint64(block.timestamp),
                currency: currency,
                status: LienStatus.Active,
                priority: uint32(ids.length),
                amount: amount,
                docCid: docCid
            })
        );
        _activeLiens[tokenId] += 1;
        emit LienGranted(lienId, tokenId, msg.sender, amount, currency, maturity, uint32(ids.length), docCid);
    }

    /// @inheritdoc ITitleRegistry
    function releaseLien(uint256 lienId) external {
        Lien storage l = _existingLien(lienId);
        if (l.status != LienStatus.Active) revert RegistryLienNotActive(lienId);
        if (l.lender != msg.sender) revert RegistryNotLienholder(lienId, msg.sender, l.lender);
        l.status = LienStatus.Released;
        _activeLiens[l.tokenId] -= 1;
        emit LienReleased(lienId, l.tokenId, msg.sender);
    }

    // --- views --------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function title(uint256 tokenId) external view returns (Title memory, address owner, uint256 activeLiens) {
        return (_existingTitle(tokenId), _ownerOf(tokenId), _activeLiens[tokenId]);
    }

    /// @inheritdoc ITitleRegistry
    function lien(uint256 lienId) external view returns (Lien memory) {
        return _existingLien(lienId);
    }

    /// @inheritdoc ITitleRegistry
    function liensOf(uint256 tokenId) external view returns (uint256[] memory) {
        _existingTitle(tokenId);
        return _liensOf[tokenId];
    }

    /// @inheritdoc ITitleRegistry
    function activeLienCount(uint256 tokenId) external view returns (uint256) {
        _existingTitle(tokenId);
        return _activeLiens[tokenId];
    }

    /// @inheritdoc ITitleRegistry
    function lienCount() external view returns (uint256) {
        return _liens.length;
    }

    /// @inheritdoc ITitleRegistry
    function consentDigest(
        uint256 tokenId,
        address lender,
        uint256 amount,
        bytes3 currency,
        uint256 nonce,
        uint64 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_CONSENT_TYPEHASH, tokenId, lender, amount, currency, nonce, deadline)));
    }

    /// @inheritdoc ITitleRegistry
    function consentUsed(bytes32 digest) external view returns (bool) {
        return _consentUsed[digest];
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    /// @notice Approvals are meaningless: titles change hands only through a registrar.
    function approve(address, uint256) public pure override {
        revert RegistryDirectTransferDisabled();
    }

    /// @notice Approvals are meaningless: titles change hands only through a registrar.
    function setApprovalForAll(address, bool) public pure override {
        revert RegistryDirectTransferDisabled();
    }

    // --- internals ----------------------------------------------------------------------------

    /// @dev Every ERC-721 movement passes here. Owner-initiated transfers (`transferFrom`,
    /// `safeTransferFrom`) carry a non-zero `auth`; mint and `transferTitle` pass zero.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (auth != address(0)) revert RegistryDirectTransferDisabled();
        return super._update(to, tokenId, auth);
    }

    function _useConsents(
        uint256 tokenId,
        uint256 amount,
        bytes3 currency,
        Consent[] calldata consents,
        uint256 lienId
    ) private {
        address[] memory seniors = _seniorLienholders(tokenId);
        address[] memory signers = new address[](consents.length);
        for (uint256 i = 0; i < consents.length; i++) {
            Consent calldata c = consents[i];
            if (c.deadline < block.timestamp) revert RegistryConsentExpired(i, c.deadline);
            bytes32 digest = consentDigest(tokenId, msg.sender, amount, currency, c.nonce, c.deadline);
            if (_consentUsed[digest]) revert RegistryConsentUsed(digest);
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError) revert RegistryConsentInvalid(i);
            // A consent for other terms recovers to an unrelated address: refuse it rather than
            // spend it, so that neither a mistake nor a stranger's signature is silently consumed.
            if (!_contains(seniors, signer)) revert RegistryConsentUnexpected(i, signer);
            signers[i] = signer;
            _consentUsed[digest] = true;
            emit ConsentUsed(digest, signer, lienId);
        }
        for (uint256 i = 0; i < seniors.length; i++) {
            if (!_contains(signers, seniors[i])) revert RegistryConsentMissing(tokenId, seniors[i]);
        }
    }

    /// @dev The holders of the title's active liens other than the caller, in priority order; a
    /// holder of several active liens appears once per lien.
    function _seniorLienholders(uint256 tokenId) private view returns (address[] memory seniors) {
        uint256[] storage ids = _liensOf[tokenId];
        seniors = new address[](ids.length);
        uint256 n = 0;
        for (uint256 i = 0; i < ids.length; i++) {
            Lien storage senior = _liens[ids[i] - 1];
            if (senior.status != LienStatus.Active || senior.lender == msg.sender) continue;
            seniors[n++] = senior.lender;
        }
        assembly ("memory-safe") {
            // Shrink the array to the lienholders found; n never exceeds its allocated length.
            mstore(seniors, n)
        }
    }

    function _existingTitle(uint256 tokenId) private view returns (Title storage t) {
        t = _titles[tokenId];
        if (t.registeredAt == 0) revert RegistryUnknownTitle(tokenId);
    }

    function _existingLien(uint256 lienId) private view returns (Lien storage) {
        if (lienId == 0 || lienId > _liens.length) revert RegistryUnknownLien(lienId);
        return _liens[lienId - 1];
    }

    function _contains(address[] memory list, address item) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == item) return true;
        }
        return false;
    }

    /// @dev 17 characters of 0-9 and A-Z without I, O and Q: the VIN alphabet, upper case only, so
    /// that one vehicle has exactly one token id. The check digit is verified off chain, where
    /// European VINs without one can be admitted on purpose.
    function _isNormalizedVin(bytes calldata vin) private pure returns (bool ok) {
        if (vin.length != 17) return false;
        assembly ("memory-safe") {
            // The 17 bytes sit at the top of one word; calldataload pads past the end with zeros.
            let word := calldataload(vin.offset)
            ok := 1
            for { let i := 0 } lt(i, 17) { i := add(i, 1) } {
                ok := and(ok, shr(byte(i, word), _VIN_ALPHABET))
            }
            ok := and(ok, 1)
        }
    }
}
