// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC165} from "@openzeppelin/contracts/interfaces/IERC165.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {ITitleRegistry} from "./interfaces/ITitleRegistry.sol";
import {Authorizations} from "./libraries/Authorizations.sol";
import {RegistryStorage} from "./libraries/RegistryStorage.sol";
import {TitleMetadata} from "./libraries/TitleMetadata.sol";
import {Titles} from "./libraries/Titles.sol";
import {TitleLifecycle} from "./modules/TitleLifecycle.sol";

/// @title TitleRegistry
/// @notice Vehicle titles as ERC-721 tokens and the liens on them. See {ITitleRegistry}.
/// @dev The governance contract holds DEFAULT_ADMIN_ROLE and so alone grants and revokes roles;
/// the deployer keeps nothing.
///
/// A thin contract over the {Titles} library (as Uniswap v4's PoolManager is over its Pool
/// library), so that it stays well within the EIP-170 code size limit as rules are added. The
/// registry holds the storage, the tokens and the roles, checks who may call what, and records
/// titles and settings. {Titles}, reached by DELEGATECALL on the registry's storage, holds the
/// rules and records of liens, valuations and proofs: currency, loan-to-value, consents, private
/// liens' proofs, and the reviews that freeze a title or make a proof due. Each title's state is
/// one {Titles-State}, each lien's one {Titles-LienState}; all of the registry's own state is one
/// ERC-7201 namespace ({RegistryStorage}).
///
/// Past its own budget, the registry grows by modules: {TitleLifecycle}, created by the
/// constructor, runs by DELEGATECALL from the fallback every function of {ITitleLifecycle}, on
/// this storage and at this address, so that clients see one contract (their ABI is the union).
///
/// For wallets: titles are locked (ERC-5192: no ERC-721 transfer function moves one), `tokenURI`
/// is on-chain JSON (see {TitleMetadata}), and every change a wallet shows emits `MetadataUpdate`
/// (ERC-4906), or `BatchMetadataUpdate` over all ids for a setting every title's value state reads.
contract TitleRegistry is ITitleRegistry, IERC4906, IERC5192, ERC721, AccessControl, EIP712 {
    /// @inheritdoc ITitleRegistry
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant LENDER_ROLE = keccak256("LENDER_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @inheritdoc ITitleRegistry
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    // The registry's own state is in {RegistryStorage}, which its modules share.
    address private immutable _verifier;
    /// @dev The module the fallback runs every other selector in (see {ITitleLifecycle}).
    address private immutable _lifecycle;

    /// @notice Deploys the registry with its founding roles, fixed here so that no deployer key has to
    /// vote for the founders; every later grant and revocation goes through governance.
    /// @param governance The governance contract, which becomes the only role administrator.
    /// @param zkVerifier The verifier of private liens' proofs.
    /// @param foundingAccounts The accounts given a founding role, one per entry of `foundingRoles`.
    /// @param foundingRoles Each account's role: REGISTRAR_ROLE, LENDER_ROLE, ORACLE_ROLE or AUDITOR_ROLE.
    constructor(
        address governance,
        address zkVerifier,
        address[] memory foundingAccounts,
        bytes32[] memory foundingRoles
    ) ERC721("lienchain vehicle title", "VTITLE") EIP712("lienchain TitleRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _verifier = zkVerifier;
        _lifecycle = address(new TitleLifecycle());
        RegistryStorage.layout().settings = Titles.Settings({
            ltvThresholdBps: 7000,
            stalenessWindow: 180 days,
            proofWindow: 7 days,
            thresholdChangedAt: 0,
            lapseGrace: 90 days,
            authorizationPolicy: AuthorizationPolicy.OwnerOrRegistrar,
            minValuations: 2,
            releaseDeadline: 10 days,
            releaseGrace: 10 days,
            noticePeriod: 10 days
        });
        uint256 count = foundingAccounts.length;
        if (foundingRoles.length != count) {
            // The first entry that lacks its other half.
            revert RegistryInvalidFoundingRole(count < foundingRoles.length ? count : foundingRoles.length, address(0), 0);
        }
        for (uint256 i = 0; i < count; i++) {
            address account = foundingAccounts[i];
            bytes32 role = foundingRoles[i];
            bool known = role == REGISTRAR_ROLE || role == LENDER_ROLE || role == ORACLE_ROLE || role == AUDITOR_ROLE;
            if (!known || account == address(0)) revert RegistryInvalidFoundingRole(i, account, role);
            _grantRole(role, account);
        }
    }

    // --- titles -------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function registerTitle(string calldata vin, address owner, string calldata docCid)
        external
        onlyRole(REGISTRAR_ROLE)
        returns (uint256 tokenId)
    {
        Titles.checkRegistration(vin, owner, docCid);
        tokenId = uint256(keccak256(bytes(vin)));
        if (_state().titles[tokenId].title.registeredAt != 0) revert RegistryTitleExists(tokenId);
        _registerTitle(tokenId, vin, owner, docCid);
    }

    /// @inheritdoc ITitleRegistry
    function transferTitle(
        uint256 tokenId,
        address to,
        uint32 odometerKm,
        string calldata docCid,
        Authorization calldata authorization
    ) external onlyRole(REGISTRAR_ROLE) {
        Titles.State storage t = _activeTitle(tokenId);
        address from = _ownerOf(tokenId);
        // Checks the document too; a refused reading or authorization undoes the reading.
        Titles.recordOdometer(t, tokenId, odometerKm, docCid);
        Authorizations.authorizeTransfer(t, _state().consentUsed, _domainSeparatorV4(), tokenId, from, to, authorization);
        _transferTitle(t, tokenId, from, to, docCid);
    }

    /// @inheritdoc ITitleRegistry
    function lifecycleTransfer(uint256 tokenId, address to) external {
        if (msg.sender != address(this)) revert RegistryDirectTransferDisabled();
        _transfer(_ownerOf(tokenId), to, tokenId);
    }

    /// @inheritdoc ITitleRegistry
    function setTitleStatus(uint256 tokenId, TitleStatus status, string calldata docCid) external {
        bool governance = hasRole(DEFAULT_ADMIN_ROLE, msg.sender);
        if (!governance) _checkRole(REGISTRAR_ROLE);
        Titles.State storage t = _existingTitle(tokenId);
        Titles.checkStatusChange(t, tokenId, status, governance, docCid);
        _setTitleStatus(t, tokenId, status, docCid);
    }

    // --- liens --------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function grantLien(
        uint256 tokenId,
        uint256 amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid,
        Consent[] calldata consents,
        Authorization calldata authorization
    ) external onlyRole(LENDER_ROLE) returns (uint256 lienId) {
        return _grantLien(Titles.Terms(tokenId, amount, currency, maturity), docCid, consents, authorization);
    }

    /// @inheritdoc ITitleRegistry
    function grantPrivateLien(
        uint256 tokenId,
        PrivateAmount calldata amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid,
        Authorization calldata authorization
    ) external onlyRole(LENDER_ROLE) returns (uint256 lienId) {
        Titles.Terms memory terms = Titles.Terms(tokenId, 0, currency, maturity);
        _authorizePrivateLien(terms, amount, authorization);
        return Titles.grantPrivateLien(_state().titles[tokenId], _state().liens, _state().settings, _verifier, terms, amount, docCid);
    }

    /// @inheritdoc ITitleRegistry
    function acknowledgeLien(uint256 lienId) external onlyRole(AUDITOR_ROLE) {
        Titles.acknowledge(_activeLien(lienId), lienId);
    }

    /// @inheritdoc ITitleRegistry
    function proveLien(uint256 lienId, uint256 reserve, bytes calldata ltvProof) external {
        Titles.LienState storage l = _activeLien(lienId);
        Titles.proveLien(_state().titles[l.lien.tokenId], l, _state().settings, _verifier, lienId, reserve, ltvProof);
    }

    /// @inheritdoc ITitleRegistry
    function revealLien(uint256 lienId, uint256 amount, uint256 blinding) external {
        Titles.LienState storage l = _activeLien(lienId);
        Titles.revealLien(_state().titles[l.lien.tokenId], _state().liens, _state().settings, _verifier, lienId, amount, blinding);
    }

    /// @inheritdoc ITitleRegistry
    function releaseLien(uint256 lienId) external {
        _closeLien(_activeLien(lienId).lien, lienId, Titles.Closing.Release, "");
    }

    /// @inheritdoc ITitleRegistry
    function markLapsed(uint256 lienId) external {
        _closeLien(_activeLien(lienId).lien, lienId, Titles.Closing.Lapse, "");
    }

    /// @inheritdoc ITitleRegistry
    function forceReleaseLien(uint256 lienId, string calldata evidenceCid) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _closeLien(_activeLien(lienId).lien, lienId, Titles.Closing.ForceRelease, evidenceCid);
    }

    // --- valuations and settings --------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function setValuation(uint256 tokenId, uint256 value, bytes3 currency, uint64 valuedAt, string calldata docCid)
        external
        onlyRole(ORACLE_ROLE)
    {
        Titles.setValuation(_existingTitle(tokenId), _state().liens, _state().settings, tokenId, value, currency, valuedAt, docCid);
    }

    // --- views --------------------------------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function title(uint256 tokenId) external view returns (Title memory, address owner, uint256 activeLiens) {
        Titles.State storage t = _existingTitle(tokenId);
        return (t.title, _ownerOf(tokenId), t.activeLienIds.length);
    }

    /// @inheritdoc ITitleRegistry
    function lien(uint256 lienId) external view returns (Lien memory) {
        return _existingLien(lienId).lien;
    }

    /// @inheritdoc ITitleRegistry
    function liensOf(uint256 tokenId) external view returns (uint256[] memory) {
        return _existingTitle(tokenId).lienIds;
    }

    /// @inheritdoc ITitleRegistry
    function appraisal(uint256 tokenId) external view returns (Appraisal memory a) {
        return Titles.appraisal(_existingTitle(tokenId), _state().settings);
    }

    /// @inheritdoc ITitleRegistry
    function ltvThreshold() external view returns (uint256) {
        return _state().settings.ltvThresholdBps;
    }

    /// @inheritdoc ITitleRegistry
    function stalenessWindow() external view returns (uint64) {
        return _state().settings.stalenessWindow;
    }

    /// @inheritdoc ITitleRegistry
    function proofWindow() external view returns (uint64) {
        return _state().settings.proofWindow;
    }

    /// @inheritdoc ITitleRegistry
    function lapseGrace() external view returns (uint64) {
        return _state().settings.lapseGrace;
    }

    /// @inheritdoc ITitleRegistry
    function minValuations() external view returns (uint8) {
        return _state().settings.minValuations;
    }

    /// @inheritdoc ITitleRegistry
    function authorizationPolicy() external view returns (AuthorizationPolicy) {
        return _state().settings.authorizationPolicy;
    }

    /// @inheritdoc ITitleRegistry
    function privateLien(uint256 tokenId) external view returns (PrivateLien memory) {
        return Titles.privateLien(_existingTitle(tokenId), _state().liens, _state().settings);
    }

    /// @inheritdoc ITitleRegistry
    function lienCommitment(uint256 lienId) external view returns (uint256[2] memory) {
        Titles.Proof storage p = _existingLien(lienId).proof;
        if (p.provenAt == 0) revert RegistryLienNotPrivate(lienId);
        return [p.cx, p.cy];
    }

    /// @inheritdoc ITitleRegistry
    function proofNonce(uint256 lienId) external view returns (uint64) {
        Titles.Proof storage p = _existingLien(lienId).proof;
        if (p.provenAt == 0) revert RegistryLienNotPrivate(lienId);
        return p.nonce;
    }

    /// @inheritdoc ITitleRegistry
    function verifier() external view returns (address) {
        return _verifier;
    }

    /// @inheritdoc ITitleRegistry
    function lienCount() external view returns (uint256) {
        return _state().liens.length;
    }

    /// @inheritdoc ITitleRegistry
    function consentUsed(bytes32 digest) external view returns (bool) {
        return _state().consentUsed[digest];
    }

    /// @notice Runs every function of {ITitleLifecycle} in the lifecycle module, on this
    /// registry's storage, and returns or reverts with what it does.
    /// @dev Non-payable: the registry holds no ether. Memory is not Solidity's after this: the
    /// assembly returns or reverts itself.
    fallback() external {
        address module = _lifecycle;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || interfaceId == bytes4(0x49064906) // ERC-4906
            || super.supportsInterface(interfaceId);
    }

    /// @notice A title's metadata: on-chain JSON (VIN, status, brands, active liens, value state) as a data URI.
    /// @param tokenId The title.
    /// @return The URI.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        Titles.State storage t = _state().titles[tokenId];
        return TitleMetadata.tokenURI(t.title, t.activeLienIds.length, Titles.appraisal(t, _state().settings));
    }

    /// @inheritdoc IERC5192
    /// @dev Always true: a title moves only by `transferTitle`, a registrar's act.
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @notice Approvals are meaningless: titles change hands only through a registrar.
    function approve(address, uint256) public pure override(ERC721, IERC721) {
        revert RegistryDirectTransferDisabled();
    }

    /// @notice Approvals are meaningless: titles change hands only through a registrar.
    function setApprovalForAll(address, bool) public pure override(ERC721, IERC721) {
        revert RegistryDirectTransferDisabled();
    }

    // --- state changes: one function each, its event right after the write -------------------

    /// @dev Every ERC-721 movement passes here. Owner-initiated transfers (`transferFrom`,
    /// `safeTransferFrom`) carry a non-zero `auth`; mint and `transferTitle` pass zero.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        if (auth != address(0)) revert RegistryDirectTransferDisabled();
        from = super._update(to, tokenId, auth);
        if (from != address(0)) _state().titles[tokenId].holdingsEndedAt.push(uint64(block.timestamp));
    }

    function _registerTitle(uint256 tokenId, string calldata vin, address owner, string calldata docCid) private {
        Title storage record = _state().titles[tokenId].title;
        record.vin = vin;
        record.docCid = docCid;
        record.registeredAt = uint64(block.timestamp); // status Active is the zero value
        _mint(owner, tokenId);
        emit TitleRegistered(tokenId, vin, owner, docCid);
        emit Locked(tokenId);
    }

    function _transferTitle(Titles.State storage t, uint256 tokenId, address from, address to, string calldata docCid)
        private
    {
        t.title.docCid = docCid;
        _transfer(from, to, tokenId);
        emit TitleTransferred(tokenId, from, to, docCid);
        emit MetadataUpdate(tokenId);
    }

    function _setTitleStatus(Titles.State storage t, uint256 tokenId, TitleStatus status, string calldata docCid)
        private
    {
        TitleStatus previous = t.title.status;
        t.title.status = status;
        if (status == TitleStatus.Cancelled) t.holdingsEndedAt.push(uint64(block.timestamp)); // for good
        if (previous == TitleStatus.Repossessed) {
            // Governance lifted the repossession: the lien stays, its default ends.
            delete t.enforcingLienId;
            delete t.defaultedAt;
            delete t.noticeEndsAt;
        }
        emit TitleStatusChanged(tokenId, previous, status, docCid);
        emit MetadataUpdate(tokenId);
    }

    // --- internals ----------------------------------------------------------------------------

    /// @dev Apart from `grantLien`, whose arguments leave no stack slot for this call's.
    function _grantLien(
        Titles.Terms memory terms,
        string calldata docCid,
        Consent[] calldata consents,
        Authorization calldata authorization
    ) private returns (uint256) {
        Titles.State storage t = _activeTitle(terms.tokenId);
        bytes32 domainSeparator = _domainSeparatorV4();
        Authorizations.authorizeLien(_state().consentUsed, domainSeparator, _state().settings, terms, bytes32(0), authorization);
        return Titles.grantLien(t, _state().liens, _state().settings, _state().consentUsed, domainSeparator, terms, docCid, consents);
    }

    /// @dev Apart from `grantPrivateLien`, whose arguments leave no stack slot for this call's:
    /// checks that the title is active, then the authorization of the lien's commitment.
    function _authorizePrivateLien(
        Titles.Terms memory terms,
        PrivateAmount calldata amount,
        Authorization calldata authorization
    ) private {
        _activeTitle(terms.tokenId);
        bytes32 commitment = keccak256(abi.encode(amount.commitment));
        Authorizations.authorizeLien(_state().consentUsed, _domainSeparatorV4(), _state().settings, terms, commitment, authorization);
    }

    function _closeLien(Lien storage l, uint256 lienId, Titles.Closing how, string memory evidenceCid) private {
        Titles.closeLien(_state().titles[l.tokenId], _state().liens, _state().settings, lienId, how, evidenceCid);
    }

    /// @dev The registry's own state (see {RegistryStorage}).
    function _state() private pure returns (RegistryStorage.Layout storage) {
        return RegistryStorage.layout();
    }

    function _existingTitle(uint256 tokenId) private view returns (Titles.State storage t) {
        t = _state().titles[tokenId];
        if (t.title.registeredAt == 0) revert RegistryUnknownTitle(tokenId);
    }

    /// @dev A registered title whose status is active.
    function _activeTitle(uint256 tokenId) private view returns (Titles.State storage t) {
        t = _existingTitle(tokenId);
        if (t.title.status != TitleStatus.Active) revert RegistryTitleNotActive(tokenId, t.title.status);
    }

    function _existingLien(uint256 lienId) private view returns (Titles.LienState storage) {
        if (lienId == 0 || lienId > _state().liens.length) revert RegistryUnknownLien(lienId);
        return _state().liens[lienId - 1];
    }

    function _activeLien(uint256 lienId) private view returns (Titles.LienState storage l) {
        l = _existingLien(lienId);
        if (l.lien.status != LienStatus.Active) revert RegistryLienNotActive(lienId);
    }
}
