// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ITitleRegistry} from "./interfaces/ITitleRegistry.sol";
import {IZkVerifier} from "./interfaces/IZkVerifier.sol";

/// @title TitleRegistry
/// @notice Vehicle titles as ERC-721 tokens and the liens on them. See {ITitleRegistry}.
/// @dev The governance contract holds DEFAULT_ADMIN_ROLE and so alone grants and revokes roles;
/// the deployer keeps nothing.
///
/// Private liens keep their amount off chain: the registry holds a Pedersen commitment and checks,
/// with {IZkVerifier}, that the amount is in range and within the loan-to-value threshold. A
/// private lien is always a title's first active lien, so "within the threshold" means: at most
/// the threshold of the title's value less the title's public (junior) liens. It counts at the
/// limit its latest proof showed, beside which every new lien must fit. When the limit allowed
/// falls below that (a lower valuation or threshold), a new proof is due within the proof
/// window; past it, the title takes no new lien.
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

    uint256 private _ltvThresholdBps = 7000;
    uint64 private _stalenessWindow = 180 days;
    mapping(uint256 tokenId => address[]) private _valuers;
    mapping(uint256 tokenId => mapping(address oracle => Valuation)) private _latestValuation;
    mapping(uint256 tokenId => uint256) private _secured;
    mapping(uint256 tokenId => bool) private _frozen;

    /// @dev A private lien's commitment and the state of its loan-to-value proof.
    struct ProofState {
        uint256 cx;
        uint256 cy;
        uint256 provenLimit;
        uint64 provenAt;
        uint64 dueSince; // set when an operation on the title made a proof due; 0 otherwise
    }

    address private immutable _verifier;
    uint64 private _proofWindow = 7 days;
    uint64 private _thresholdChangedAt;
    mapping(uint256 tokenId => uint256 lienId) private _privateLienOf;
    mapping(uint256 lienId => ProofState) private _proofs;

    /// @dev Range of a private amount: 40 bits of minor units (see lienchain.zk.range).
    uint256 private constant _AMOUNT_BITS = 40;

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

        _checkCurrency(tokenId, currency);
        _checkLtv(tokenId, amount);

        if (_activeLiens[tokenId] != 0) _useConsents(tokenId, amount, currency, consents, _liens.length + 1);
        lienId = _addLien(tokenId, amount, currency, maturity, docCid);
        _secured[tokenId] += amount;
        _reviewLtv(tokenId); // clears a freeze that a threshold change made stale; a private lien may owe a proof
    }

    /// @inheritdoc ITitleRegistry
    function grantPrivateLien(
        uint256 tokenId,
        PrivateAmount calldata amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid
    ) external onlyRole(LENDER_ROLE) returns (uint256 lienId) {
        Title storage t = _existingTitle(tokenId);
        if (t.status != TitleStatus.Active) revert RegistryTitleNotActive(tokenId, t.status);
        if (maturity <= block.timestamp) revert RegistryInvalidMaturity(maturity);
        uint256 active = _activeLiens[tokenId];
        if (active != 0) revert RegistryPrivateLienNotFirst(tokenId, active);
        _checkCurrency(tokenId, currency);
        uint256 limit = _verifyGrant(tokenId, amount);
        lienId = _addLien(tokenId, 0, currency, maturity, docCid);
        _privateLienOf[tokenId] = lienId;
        _proofs[lienId] = ProofState(amount.commitment[0], amount.commitment[1], limit, uint64(block.timestamp), 0);
        emit LienCommitted(lienId, tokenId, amount.commitment, limit);
    }

    /// @inheritdoc ITitleRegistry
    function proveLien(uint256 lienId, uint256 reserve, bytes calldata ltvProof) external {
        Lien storage l = _existingLien(lienId);
        if (l.status != LienStatus.Active) revert RegistryLienNotActive(lienId);
        ProofState storage p = _proofs[lienId];
        if (p.provenAt == 0) revert RegistryLienNotPrivate(lienId);
        uint256 limit = _verifyReproof(l.tokenId, lienId, p, reserve, ltvProof);
        p.provenLimit = limit;
        p.provenAt = uint64(block.timestamp);
        p.dueSince = 0;
        emit LienProved(lienId, l.tokenId, limit);
    }

    /// @inheritdoc ITitleRegistry
    function releaseLien(uint256 lienId) external {
        Lien storage l = _existingLien(lienId);
        if (l.status != LienStatus.Active) revert RegistryLienNotActive(lienId);
        if (l.lender != msg.sender) revert RegistryNotLienholder(lienId, msg.sender, l.lender);
        l.status = LienStatus.Released;
        if (_privateLienOf[l.tokenId] == lienId) delete _privateLienOf[l.tokenId];
        _activeLiens[l.tokenId] -= 1;
        _secured[l.tokenId] -= l.amount;
        emit LienReleased(lienId, l.tokenId, msg.sender);
        _reviewLtv(l.tokenId);
    }

    // --- valuations and loan-to-value ---------------------------------------------------------

    /// @inheritdoc ITitleRegistry
    function setValuation(uint256 tokenId, uint256 value, bytes3 currency, uint64 valuedAt, string calldata docCid)
        external
        onlyRole(ORACLE_ROLE)
    {
        _existingTitle(tokenId);
        Valuation storage v = _latestValuation[tokenId][msg.sender];
        if (value == 0 || valuedAt > block.timestamp || valuedAt < v.valuedAt) {
            revert RegistryInvalidValuation(tokenId, value, valuedAt);
        }
        _checkCurrency(tokenId, currency);
        if (v.oracle == address(0)) _valuers[tokenId].push(msg.sender);
        v.oracle = msg.sender;
        v.value = value;
        v.currency = currency;
        v.valuedAt = valuedAt;
        v.docCid = docCid;
        emit ValuationSet(tokenId, msg.sender, value, currency, valuedAt, docCid);
        _reviewLtv(tokenId);
    }

    /// @inheritdoc ITitleRegistry
    function setLtvThreshold(uint256 thresholdBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (thresholdBps == 0 || thresholdBps > 10_000) revert RegistryInvalidSetting(thresholdBps);
        emit LtvThresholdChanged(_ltvThresholdBps, thresholdBps);
        _ltvThresholdBps = thresholdBps;
        _thresholdChangedAt = uint64(block.timestamp); // private liens it puts over their proof owe one from now
    }

    /// @inheritdoc ITitleRegistry
    function setProofWindow(uint64 windowSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (windowSeconds == 0) revert RegistryInvalidSetting(windowSeconds);
        emit ProofWindowChanged(_proofWindow, windowSeconds);
        _proofWindow = windowSeconds;
    }

    /// @inheritdoc ITitleRegistry
    function setStalenessWindow(uint64 windowSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (windowSeconds == 0) revert RegistryInvalidSetting(windowSeconds);
        emit StalenessWindowChanged(_stalenessWindow, windowSeconds);
        _stalenessWindow = windowSeconds;
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
    function appraisal(uint256 tokenId) external view returns (Appraisal memory a) {
        _existingTitle(tokenId);
        (a,) = _appraise(tokenId);
    }

    /// @inheritdoc ITitleRegistry
    function valuations(uint256 tokenId) external view returns (Valuation[] memory out) {
        _existingTitle(tokenId);
        address[] storage valuers = _valuers[tokenId];
        out = new Valuation[](valuers.length);
        for (uint256 i = 0; i < valuers.length; i++) {
            out[i] = _latestValuation[tokenId][valuers[i]];
        }
    }

    /// @inheritdoc ITitleRegistry
    function ltvThreshold() external view returns (uint256) {
        return _ltvThresholdBps;
    }

    /// @inheritdoc ITitleRegistry
    function stalenessWindow() external view returns (uint64) {
        return _stalenessWindow;
    }

    /// @inheritdoc ITitleRegistry
    function privateLien(uint256 tokenId) external view returns (PrivateLien memory) {
        _existingTitle(tokenId);
        (Appraisal memory a,) = _appraise(tokenId);
        return _privateState(tokenId, a);
    }

    /// @inheritdoc ITitleRegistry
    function lienCommitment(uint256 lienId) external view returns (uint256[2] memory) {
        _existingLien(lienId);
        ProofState storage p = _proofs[lienId];
        if (p.provenAt == 0) revert RegistryLienNotPrivate(lienId);
        return [p.cx, p.cy];
    }

    /// @inheritdoc ITitleRegistry
    function proofWindow() external view returns (uint64) {
        return _proofWindow;
    }

    /// @inheritdoc ITitleRegistry
    function verifier() external view returns (address) {
        return _verifier;
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

    /// @dev Records a new active lien (amount 0 for a private one) and announces it.
    function _addLien(uint256 tokenId, uint256 amount, bytes3 currency, uint64 maturity, string calldata docCid)
        private
        returns (uint256 lienId)
    {
        lienId = _liens.length + 1;
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

    /// @dev Checks a private grant's proofs against the title's value and threshold now, and
    /// returns the limit the amount was proved within. The title has no active lien.
    function _verifyGrant(uint256 tokenId, PrivateAmount calldata amount) private view returns (uint256) {
        (Appraisal memory a, uint64 latest) = _appraise(tokenId);
        if (a.freshOracles == 0) {
            if (a.staleOracles != 0) revert RegistryValuationStale(tokenId, latest);
            revert RegistryValuationRequired(tokenId);
        }
        bytes memory subject = abi.encodePacked("grant:", tokenId, msg.sender);
        IZkVerifier v = IZkVerifier(_verifier);
        bool ok = v.verifyRange(block.chainid, address(this), subject, amount.commitment, _AMOUNT_BITS, amount.rangeProof)
            && v.verifyLtv(block.chainid, address(this), subject, amount.commitment, a.value, a.thresholdBps, 0, amount.ltvProof);
        if (!ok) revert RegistryInvalidProof(tokenId);
        return a.value * a.thresholdBps / 10_000;
    }

    /// @dev Checks a private lien's new proof against the title's value, threshold and public
    /// liens now, and returns the limit the amount was proved within.
    function _verifyReproof(
        uint256 tokenId,
        uint256 lienId,
        ProofState storage p,
        uint256 reserve,
        bytes calldata proof
    ) private view returns (uint256) {
        (uint256 value, uint256 thresholdBps, uint256 deducted) = _reproofTerms(tokenId, reserve);
        uint256[2] memory commitment = [p.cx, p.cy];
        if (!IZkVerifier(_verifier).verifyLtv(
            block.chainid, address(this), abi.encodePacked("lien:", lienId), commitment, value, thresholdBps, deducted, proof
        )) revert RegistryInvalidProof(tokenId);
        return value * thresholdBps / 10_000 - deducted;
    }

    /// @dev The title's value and threshold now, and what a new proof deducts from the limit they
    /// allow: the public liens and the reserve, which must fit in it.
    function _reproofTerms(uint256 tokenId, uint256 reserve)
        private
        view
        returns (uint256 value, uint256 thresholdBps, uint256 deducted)
    {
        (Appraisal memory a, uint64 latest) = _appraise(tokenId);
        if (a.freshOracles == 0) {
            if (a.staleOracles != 0) revert RegistryValuationStale(tokenId, latest);
            revert RegistryValuationRequired(tokenId);
        }
        deducted = a.secured + reserve;
        if (deducted > a.value * a.thresholdBps / 10_000) {
            revert RegistryLtvExceeded(tokenId, _ratioBps(deducted, a.value), a.thresholdBps);
        }
        return (a.value, a.thresholdBps, deducted);
    }

    /// @dev The title's private lien and whether it owes a proof, given its appraisal now.
    function _privateState(uint256 tokenId, Appraisal memory a) private view returns (PrivateLien memory s) {
        s.lienId = _privateLienOf[tokenId];
        if (s.lienId == 0) return s;
        ProofState storage p = _proofs[s.lienId];
        s.commitment = [p.cx, p.cy];
        s.provenLimit = p.provenLimit;
        s.provenAt = p.provenAt;
        s.limit = _privateLimit(a);
        s.due = s.limit < p.provenLimit;
        if (!s.due) return s;
        // Due since the operation that made it so, the proof, or the last threshold change,
        // whichever is latest (a threshold change, or a valuation ageing out, touches no title;
        // an operation's mark from before a threshold change that ended it and began another
        // due spell is superseded by that change).
        uint64 since = p.provenAt > _thresholdChangedAt ? p.provenAt : _thresholdChangedAt;
        if (p.dueSince > since) since = p.dueSince;
        s.deadline = since + _proofWindow;
        s.overdue = block.timestamp > s.deadline;
    }

    /// @dev What the threshold allows a title's private lien: its value's threshold less the
    /// public liens; zero without a fresh valuation.
    function _privateLimit(Appraisal memory a) private pure returns (uint256) {
        uint256 allowed = a.value * a.thresholdBps / 10_000;
        return a.freshOracles == 0 || a.secured >= allowed ? 0 : allowed - a.secured;
    }

    /// @dev After an operation on a title: marks its private lien's proof due (once) when the
    /// limit fell below it, and not due when it rose back.
    function _reviewPrivate(uint256 tokenId, Appraisal memory a) private {
        uint256 lienId = _privateLienOf[tokenId];
        if (lienId == 0) return;
        ProofState storage p = _proofs[lienId];
        uint256 limit = _privateLimit(a);
        if (limit >= p.provenLimit) {
            if (p.dueSince != 0) p.dueSince = 0;
        } else if (p.dueSince == 0) {
            p.dueSince = uint64(block.timestamp);
            emit LienProofDue(lienId, tokenId, limit, uint64(block.timestamp) + _proofWindow);
        }
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

    /// @dev A title's valuations and active liens share one currency: that of its first
    /// oracle's valuation, else of its first active lien; a title with neither takes any.
    function _checkCurrency(uint256 tokenId, bytes3 currency) private view {
        bytes3 expected;
        address[] storage valuers = _valuers[tokenId];
        if (valuers.length != 0) {
            expected = _latestValuation[tokenId][valuers[0]].currency;
        } else if (_activeLiens[tokenId] != 0) {
            uint256[] storage ids = _liensOf[tokenId];
            for (uint256 i = 0; i < ids.length; i++) {
                Lien storage l = _liens[ids[i] - 1];
                if (l.status == LienStatus.Active) {
                    expected = l.currency;
                    break;
                }
            }
        }
        if (expected != bytes3(0) && expected != currency) revert RegistryCurrencyMismatch(tokenId, expected, currency);
    }

    /// @dev Refuses a new lien of `amount` on a frozen title, one that would cross the threshold
    /// (counting a private lien at its proven limit), any on a title whose valuations are all
    /// stale, and any on a title whose private lien's proof is overdue. A title never valued
    /// takes any lien.
    function _checkLtv(uint256 tokenId, uint256 amount) private view {
        (Appraisal memory a, uint64 latest) = _appraise(tokenId);
        PrivateLien memory s = _privateState(tokenId, a);
        if (s.overdue) revert RegistryProofOverdue(tokenId, s.lienId, s.deadline);
        if (a.freshOracles == 0) {
            if (a.staleOracles != 0) revert RegistryValuationStale(tokenId, latest);
            return;
        }
        if (a.ltvBps > a.thresholdBps) revert RegistryTitleFrozen(tokenId, a.ltvBps, a.thresholdBps);
        // A private lien counts at the limit it was proved within: a new lien must fit beside it,
        // and none fits while its proof is due (the limit allowed it fell below the proven one).
        uint256 ltvAfter = _ratioBps(a.secured + amount + s.provenLimit, a.value);
        if (ltvAfter > a.thresholdBps) revert RegistryLtvExceeded(tokenId, ltvAfter, a.thresholdBps);
    }

    /// @dev Freezes a title whose loan-to-value crossed the threshold, and unfreezes one back
    /// within it, emitting the change. Without a fresh valuation the state stays as it was.
    function _reviewLtv(uint256 tokenId) private {
        (Appraisal memory a,) = _appraise(tokenId);
        _reviewPrivate(tokenId, a);
        if (a.freshOracles == 0) return;
        bool over = a.ltvBps > a.thresholdBps;
        if (over == _frozen[tokenId]) return;
        _frozen[tokenId] = over;
        if (over) emit LtvAlert(tokenId, a.ltvBps, a.thresholdBps);
        else emit LtvRecovered(tokenId, a.ltvBps, a.thresholdBps);
    }

    /// @dev The title's appraisal, and the date of its latest valuation (fresh or not).
    function _appraise(uint256 tokenId) private view returns (Appraisal memory a, uint64 latest) {
        address[] storage valuers = _valuers[tokenId];
        uint256[] memory fresh = new uint256[](valuers.length);
        uint256 n = 0;
        for (uint256 i = 0; i < valuers.length; i++) {
            Valuation storage v = _latestValuation[tokenId][valuers[i]];
            if (v.valuedAt > latest) latest = v.valuedAt;
            a.currency = v.currency;
            if (uint256(v.valuedAt) + _stalenessWindow < block.timestamp) continue;
            // Insertion sort: a title has a handful of oracles.
            uint256 j = n++;
            while (j > 0 && fresh[j - 1] > v.value) {
                fresh[j] = fresh[j - 1];
                j--;
            }
            fresh[j] = v.value;
        }
        a.freshOracles = uint32(n);
        a.staleOracles = uint32(valuers.length - n);
        a.secured = _secured[tokenId];
        a.thresholdBps = _ltvThresholdBps;
        a.frozen = _frozen[tokenId];
        if (n == 0) return (a, latest);
        a.value = n % 2 == 1 ? fresh[n / 2] : (fresh[n / 2 - 1] + fresh[n / 2]) / 2;
        a.ltvBps = _ratioBps(a.secured, a.value);
    }

    /// @dev `part` over `whole` in basis points, rounded up (so a ratio just over the threshold
    /// never rounds down into it).
    function _ratioBps(uint256 part, uint256 whole) private pure returns (uint256) {
        return (part * 10_000 + whole - 1) / whole;
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
