// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {RegistryStorage} from "./RegistryStorage.sol";
import {IZkVerifier} from "../interfaces/IZkVerifier.sol";

/// @title Titles
/// @notice The rules of one title of {TitleRegistry}: what it is worth, what its liens may add up
/// to, whose consent a new lien needs, and when its private lien owes a new proof.
/// @dev An external library, linked into the registry and reached by DELEGATECALL, so that the
/// registry stays well within the EIP-170 code size limit. Every storage argument is the
/// registry's storage, every event is logged by the registry, and `msg.sender` and
/// `address(this)` are the registry's caller and the registry. The errors and events are those
/// of {ITitleRegistry}, which the registry implements: solc puts the errors and events of an
/// external library only into the library's own ABI, never into its caller's.
///
/// Private liens keep their amount off chain: the registry holds a Pedersen commitment and checks,
/// with {IZkVerifier}, that the amount is in range and within the loan-to-value threshold. A
/// private lien is always a title's first active lien, so "within the threshold" means: at most
/// the threshold of the title's value less the title's public (junior) liens. It counts at the
/// limit its latest proof showed, beside which every new lien must fit. When the limit allowed
/// falls below that (a lower valuation or threshold), a new proof is due within the proof
/// window; past it, the title takes no new lien.
library Titles {
    /// @notice Everything the registry keeps about one title.
    struct State {
        ITitleRegistry.Title title;
        /// @dev Every lien ever granted on the title, in the order granted (each lien's `priority` is
        /// its rank: a subordination reorders the active ones); for reading only: no write loops
        /// over it, so no history, however long, makes an operation cost more.
        uint256[] lienIds;
        /// @dev The active liens, in priority order; at most `_MAX_ACTIVE_LIENS`.
        uint256[] activeLienIds;
        /// @dev The total of the active public liens (a private one counts 0 here).
        uint256 secured;
        /// @dev The title's active private lien; 0 if none.
        uint256 privateLienId;
        /// @dev Whether the latest review found the loan-to-value over the threshold.
        bool frozen;
        /// @dev Whether a review found a value that counted: the title is never unlimited again.
        bool valued;
        /// @dev The lien in default while the title is repossessed, since when, and the end of its
        /// notice period (fixed at the default: a later vote changes only later defaults); zero otherwise.
        uint256 enforcingLienId;
        uint64 defaultedAt;
        uint64 noticeEndsAt;
        /// @dev When a holding of the title ended, in order: each transfer (a sale included), and
        /// its cancellation, after which no one holds it. The retention of a document about the
        /// title's owner of the time runs from the end after it. Written by the registry's ERC-721
        /// update and its status change; read by index only.
        uint64[] holdingsEndedAt;
        /// @dev The oracles that valued the title, in the order they first did until a pruning
        /// (which moves the last ones into the places of those whose role was gone, and forgets
        /// their valuations); at most `MAX_VALUERS`. The order matters to nothing: the value is
        /// a median, and the currency every valuation shares.
        address[] valuers;
        mapping(address oracle => ITitleRegistry.Valuation) valuations;
    }

    /// @notice Everything the registry keeps about one lien.
    struct LienState {
        ITitleRegistry.Lien lien;
        /// @dev A private lien's commitment and the state of its proof; all zero for a public lien.
        Proof proof;
        /// @dev The payoff the borrower's side recorded; all zero if none (or disputed since).
        Payoff payoff;
        /// @dev What a disposition of its title paid it, once discharged.
        uint256 recovered;
        /// @dev When it stopped being active (released, lapsed or discharged); 0 while active. The
        /// retention of its documents runs from here.
        uint64 endedAt;
    }

    /// @notice A lien's payoff, as the title's owner or a registrar recorded it.
    struct Payoff {
        /// @dev When it was recorded: the release deadline runs from here.
        uint64 at;
        /// @dev Who recorded it: a registrar who did may not also release the lien after the deadline.
        address by;
        /// @dev Whether a review raised `LienReleaseOverdue` for it.
        bool overdue;
        /// @dev The release deadline, and when a registrar may release it instead: fixed when the
        /// payoff is recorded (a later vote changes only later payoffs).
        uint64 releaseDue;
        uint64 releasableAt;
    }

    /// @notice A private lien's commitment and the state of its loan-to-value proof.
    struct Proof {
        uint256 cx;
        uint256 cy;
        uint256 provenLimit;
        uint64 provenAt;
        /// @dev Set when an operation on the title made a proof due; 0 otherwise.
        uint64 dueSince;
        /// @dev How many times the lien was proved again since its grant: each new proof is bound
        /// to it, so that no earlier proof (nor an auditor's) can be sent again.
        uint64 nonce;
        /// @dev Whether an auditor acknowledged that it opened the amount.
        bool acknowledged;
        /// @dev When a write found the proof due (its due spell may have begun earlier); 0 when
        /// none is due. An auditor's reveal waits a whole proof window from it.
        uint64 dueMarkedAt;
    }

    /// @notice The registry's settings, changed by governance. One storage slot: every appraisal
    /// reads it.
    struct Settings {
        uint64 ltvThresholdBps;
        uint64 stalenessWindow;
        uint64 proofWindow;
        uint64 thresholdChangedAt;
        /// @dev How long after its maturity a lien lapses (the second slot: read only then).
        uint64 lapseGrace;
        /// @dev Who besides a title's owner may authorize a new lien (read only at a grant).
        ITitleRegistry.AuthorizationPolicy authorizationPolicy;
        /// @dev How many fresh valuations of current oracles a title's value needs.
        uint8 minValuations;
        /// @dev How long after a recorded payoff its lienholder must release the lien.
        uint64 releaseDeadline;
        /// @dev How long after the release deadline a registrar may release a paid-off lien instead.
        uint64 releaseGrace;
        /// @dev How long after a default its lienholder must wait to dispose of the title.
        uint64 noticePeriod;
    }

    /// @notice How an active lien ends.
    enum Closing {
        /// @dev Its holder released it.
        Release,
        /// @dev Past its maturity and the grace period, anyone marked it lapsed.
        Lapse,
        /// @dev Governance released it, with evidence.
        ForceRelease,
        /// @dev A registrar released it, paid off, past the release deadline and its grace period.
        AfterPayoff
    }

    /// @notice The terms of a new lien of the caller.
    struct Terms {
        uint256 tokenId;
        uint256 amount;
        bytes3 currency;
        uint64 maturity;
    }

    /// @dev The EIP-712 type a senior lienholder signs to consent to a new lien.
    bytes32 internal constant CONSENT_TYPEHASH = keccak256(
        "LienConsent(uint256 tokenId,address lender,uint256 amount,bytes3 currency,uint256 nonce,uint64 deadline)"
    );

    /// @dev Bit c is set for each byte value c that may occur in a normalized VIN: 0-9, A-Z without I, O, Q.
    uint256 private constant _VIN_ALPHABET = 0x7fd7dfe03ff000000000000;
    /// @dev Range of a private amount: 1 to 2**40 minor units (see lienchain.zk.range). Public
    /// amounts and values stay below 2**40 too: sums of a title's liens, their ratio to its value
    /// and its value times a threshold then stay far from overflowing, whatever a key posts.
    uint256 private constant _AMOUNT_BITS = 40;
    uint256 private constant _AMOUNT_LIMIT = 2 ** 40;
    /// @dev The registry's oracle role: only current oracles' valuations count.
    bytes32 private constant _ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @dev The registry's auditor role: an auditor may reveal an overdue private lien's amount.
    bytes32 private constant _AUDITOR_ROLE = keccak256("AUDITOR_ROLE");
    /// @dev Bounds on what a write loops over, so that its gas has a ceiling the client's limits
    /// cover whatever a title's history: its active liens, and the oracles that valued it.
    uint256 internal constant MAX_ACTIVE_LIENS = 16;
    uint256 internal constant MAX_VALUERS = 16;
    /// @dev The longest a lien may run: well beyond any vehicle loan.
    uint256 private constant _MAX_TERM = 30 * 365 days;

    // --- settings -----------------------------------------------------------------------------

    /// @notice Checks a new title's VIN, first owner and document.
    /// @param vin The VIN: 17 characters of the VIN alphabet, upper case (see `_isNormalizedVin`).
    /// @param owner The first owner: not the zero address.
    /// @param docCid The CID of its sealed title document: not empty.
    function checkRegistration(string calldata vin, address owner, string calldata docCid) external {
        if (!_isNormalizedVin(bytes(vin))) revert ITitleRegistry.RegistryInvalidVIN(vin);
        if (owner == address(0)) revert ITitleRegistry.RegistryInvalidOwner(owner);
        _checkDocument(docCid, uint256(keccak256(bytes(vin))), 0);
    }

    /// @notice Checks a change of a title's status by a registrar or governance: a cancelled
    /// title never changes again, the status must change, and cancelling a title, which can never
    /// be undone, takes a member vote (liened or not: its owner relies on it too).
    /// @param t The title.
    /// @param tokenId The title's token id.
    /// @param status The new status.
    /// @param governance Whether governance calls.
    /// @param docCid The CID of the change's sealed document: not empty.
    function checkStatusChange(
        State storage t,
        uint256 tokenId,
        ITitleRegistry.TitleStatus status,
        bool governance,
        string calldata docCid
    ) external {
        _checkDocument(docCid, tokenId, 0);
        ITitleRegistry.TitleStatus previous = t.title.status;
        if (previous == ITitleRegistry.TitleStatus.Cancelled) revert ITitleRegistry.RegistryTitleCancelled(tokenId);
        // Only a lienholder's default repossesses a title; only its redemption, its disposition,
        // its lender's withdrawal or a member vote lifts that.
        bool lift = previous == ITitleRegistry.TitleStatus.Repossessed;
        if (status == ITitleRegistry.TitleStatus.Repossessed || (lift && !governance)) {
            revert ITitleRegistry.RegistryRepossessionByDefault(tokenId);
        }
        if (previous == status) revert ITitleRegistry.RegistryStatusUnchanged(tokenId, status);
        if (status == ITitleRegistry.TitleStatus.Cancelled && !governance) {
            revert ITitleRegistry.RegistryCancellationNeedsVote(tokenId);
        }
    }

    /// @notice Records a title's odometer reading, refusing an empty document and a reading
    /// below the last one unless the title is branded {ITitleRegistry-Brand-OdometerNotActual}
    /// (then the new reading is the last one from now on). Every operation that records a
    /// reading (a transfer, a reading on its own, a disposition) passes here: the caller has
    /// checked its role and the title's state.
    /// @param t The title.
    /// @param tokenId The title's token id.
    /// @param km The reading, in kilometres.
    /// @param docCid The CID of the sealed document the reading comes from: not empty.
    function recordOdometer(State storage t, uint256 tokenId, uint32 km, string calldata docCid) external {
        _checkDocument(docCid, tokenId, 0);
        ITitleRegistry.Title storage record = t.title;
        uint32 last = record.odometerKm;
        uint8 notActual = uint8(1) << uint8(ITitleRegistry.Brand.OdometerNotActual);
        if (km < last && record.brands & notActual == 0) {
            revert ITitleRegistry.RegistryOdometerRollback(tokenId, last, km);
        }
        record.odometerKm = km;
        record.odometerAt = uint64(block.timestamp);
        emit ITitleRegistry.OdometerRecorded(tokenId, km, msg.sender, docCid);
    }

    // --- liens --------------------------------------------------------------------------------

    /// @notice Grants the caller a public lien on an active title, after checking its currency,
    /// its loan-to-value and, on an encumbered title, the senior lienholders' consents; then
    /// reviews the title's loan-to-value.
    /// @param t The title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param consentUsed The registry's spent consents, by digest.
    /// @param domainSeparator The registry's EIP-712 domain separator.
    /// @param terms The lien's terms.
    /// @param docCid The CID of the sealed loan document.
    /// @param consents The consents given with the grant.
    /// @return lienId The new lien's id.
    function grantLien(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        mapping(bytes32 digest => bool) storage consentUsed,
        bytes32 domainSeparator,
        Terms memory terms,
        string calldata docCid,
        ITitleRegistry.Consent[] calldata consents
    ) external returns (uint256 lienId) {
        if (terms.amount == 0 || terms.amount >= _AMOUNT_LIMIT) revert ITitleRegistry.RegistryInvalidAmount(terms.amount);
        _checkMaturity(terms.maturity);
        _checkCurrency(t, liens, terms.tokenId, terms.currency);
        _checkLtv(t, liens, s, terms.tokenId, terms.amount);
        if (t.activeLienIds.length != 0) _useConsents(t, liens, consentUsed, domainSeparator, terms, consents);
        lienId = _addLien(t, liens, terms, docCid);
        // Clears a freeze that a threshold change made stale; a private lien may owe a proof.
        _review(t, liens, s, terms.tokenId);
    }

    /// @notice Grants the caller a private lien (amount 0, its commitment kept) on an active title
    /// without active liens, after checking its currency and the amount's range and loan-to-value
    /// proofs against the title's value and threshold now.
    /// @param t The title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param verifier The registry's {IZkVerifier}.
    /// @param terms The lien's terms; `amount` is ignored.
    /// @param amount The amount's commitment and proofs.
    /// @param docCid The CID of the lien's sealed document.
    /// @return lienId The new lien's id.
    function grantPrivateLien(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        address verifier,
        Terms memory terms,
        ITitleRegistry.PrivateAmount calldata amount,
        string calldata docCid
    ) external returns (uint256 lienId) {
        _checkMaturity(terms.maturity);
        if (t.activeLienIds.length != 0) {
            revert ITitleRegistry.RegistryPrivateLienNotFirst(terms.tokenId, t.activeLienIds.length);
        }
        _checkCurrency(t, liens, terms.tokenId, terms.currency);
        uint256 limit = _verifyGrant(t, s, verifier, terms.tokenId, amount);
        terms.amount = 0;
        lienId = _addLien(t, liens, terms, docCid);
        _commitLien(t, liens[lienId - 1].proof, terms.tokenId, lienId, amount.commitment, limit);
    }

    /// @notice Records a private lien's new loan-to-value proof, checked against the title's
    /// value, threshold and public liens now, and a `reserve` that must fit in the limit they allow.
    /// The proof's subject is "lien:", the lien id and its proof nonce: each proof counts once.
    /// @param t The lien's title.
    /// @param l The lien, active.
    /// @param s The registry's settings.
    /// @param verifier The registry's {IZkVerifier}.
    /// @param lienId The lien's id.
    /// @param reserve The part of the allowed limit left for other liens.
    /// @param ltvProof The proof.
    function proveLien(
        State storage t,
        LienState storage l,
        Settings storage s,
        address verifier,
        uint256 lienId,
        uint256 reserve,
        bytes calldata ltvProof
    ) external {
        Proof storage p = l.proof;
        if (p.provenAt == 0) revert ITitleRegistry.RegistryLienNotPrivate(lienId);
        uint256 tokenId = l.lien.tokenId;
        ITitleRegistry.Appraisal memory a = _freshAppraisal(t, s, tokenId);
        uint256 deducted = a.secured + reserve;
        if (deducted > a.value * a.thresholdBps / 10_000) {
            revert ITitleRegistry.RegistryLtvExceeded(tokenId, _ratioBps(deducted, a.value), a.thresholdBps);
        }
        uint256[2] memory commitment = [p.cx, p.cy];
        if (!IZkVerifier(verifier).verifyLtv(
            block.chainid, address(this), abi.encodePacked("lien:", lienId, uint256(p.nonce)), commitment, a.value,
            a.thresholdBps, deducted, ltvProof
        )) revert ITitleRegistry.RegistryInvalidProof(tokenId);
        _recordProof(p, lienId, tokenId, a.value * a.thresholdBps / 10_000 - deducted);
    }

    /// @notice Reveals a private lien's amount against its commitment, by its holder or, once its
    /// proof is overdue, by an auditor; the lien is public from then on, and its title's
    /// loan-to-value is reviewed with it.
    /// @param t The lien's title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param verifier The registry's {IZkVerifier}.
    /// @param lienId The lien, active.
    /// @param amount Its amount.
    /// @param blinding Its commitment's blinding factor.
    function revealLien(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        address verifier,
        uint256 lienId,
        uint256 amount,
        uint256 blinding
    ) external {
        if (t.privateLienId != lienId) revert ITitleRegistry.RegistryLienNotPrivate(lienId);
        LienState storage l = liens[lienId - 1];
        Proof storage p = l.proof;
        if (msg.sender != l.lien.lender) {
            // An auditor only after the lender had a whole proof window in which it could prove:
            // from when a write found the proof due, with a value counting now (without one, no
            // proof can be made, and the title takes no lien anyway).
            (ITitleRegistry.Appraisal memory a,) = _appraise(t, s);
            ITitleRegistry.PrivateLien memory state = _privateState(t, liens, s, a);
            uint256 revealableAfter = uint256(p.dueMarkedAt) + s.proofWindow;
            bool auditor = IAccessControl(address(this)).hasRole(_AUDITOR_ROLE, msg.sender);
            if (!auditor || !state.overdue || a.value == 0 || p.dueMarkedAt == 0 || block.timestamp <= revealableAfter) {
                revert ITitleRegistry.RegistryRevealNotAllowed(lienId, msg.sender);
            }
        }
        if (amount == 0 || !IZkVerifier(verifier).opens([p.cx, p.cy], amount, blinding)) {
            revert ITitleRegistry.RegistryInvalidOpening(lienId);
        }
        _revealLien(t, l, lienId, amount);
        _review(t, liens, s, l.lien.tokenId);
    }

    /// @notice Ends an active lien — released by its holder, lapsed, or released by governance —
    /// then reviews its title's loan-to-value. The registry checked that governance forces a release.
    /// @param t The lien's title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param lienId The lien, active.
    /// @param how How it ends: a release is its holder's; a lapse is refused before the maturity
    /// and the grace period passed; a forced release needs its evidence.
    /// @param evidenceCid A forced release's evidence document; empty otherwise.
    function closeLien(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        uint256 lienId,
        Closing how,
        string memory evidenceCid
    ) external {
        ITitleRegistry.Lien storage l = liens[lienId - 1].lien;
        liens[lienId - 1].endedAt = uint64(block.timestamp);
        if (how == Closing.Release) {
            if (l.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lender);
            _releaseLien(t, l, lienId);
        } else if (how == Closing.Lapse) {
            uint256 lapsesAt = uint256(l.maturity) + s.lapseGrace;
            if (block.timestamp <= lapsesAt) revert ITitleRegistry.RegistryLienNotLapsed(lienId, lapsesAt);
            _lapseLien(t, l, lienId);
        } else {
            if (bytes(evidenceCid).length == 0) revert ITitleRegistry.RegistryEvidenceRequired(lienId);
            RegistryStorage.anchor(RegistryStorage.layout(), evidenceCid, l.tokenId, lienId);
            if (how == Closing.ForceRelease) _forceReleaseLien(t, l, lienId, evidenceCid);
            else _releaseAfterPayoff(t, l, lienId, evidenceCid);
        }
        if (t.enforcingLienId == lienId) _redeem(t, l.tokenId, lienId);
        _review(t, liens, s, l.tokenId);
    }

    /// @notice Records an auditor's acknowledgement that it opened a private lien's amount.
    /// @param l The lien, active.
    /// @param lienId The lien's id.
    function acknowledge(LienState storage l, uint256 lienId) external {
        Proof storage p = l.proof;
        if (p.provenAt == 0) revert ITitleRegistry.RegistryLienNotPrivate(lienId);
        if (p.acknowledged) revert ITitleRegistry.RegistryLienAcknowledged(lienId);
        _acknowledge(p, lienId, l.lien.tokenId);
    }

    // --- valuations and loan-to-value ---------------------------------------------------------

    /// @notice Reviews a title's loan-to-value and its private lien's proof state as of now.
    /// @param t The title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param tokenId The title's token id.
    function review(State storage t, LienState[] storage liens, Settings storage s, uint256 tokenId) external {
        uint256 lienId = t.privateLienId;
        if (lienId != 0 && liens[lienId - 1].proof.dueSince == 0) {
            // Due by time alone (a valuation aged out, an oracle's role revoked): the view already
            // counts its deadline from the proof or the last threshold change. The review records
            // that spell as it is: it never gives the lienholder a new window.
            (ITitleRegistry.Appraisal memory a,) = _appraise(t, s);
            ITitleRegistry.PrivateLien memory state = _privateState(t, liens, s, a);
            if (state.due) {
                _setProofDue(liens[lienId - 1].proof, lienId, tokenId, state.limit, state.deadline - s.proofWindow, s.proofWindow);
            }
        }
        _review(t, liens, s, tokenId);
    }

    /// @notice Records the caller's valuation of a title, then reviews its loan-to-value.
    /// @param t The title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @param tokenId The title's token id.
    /// @param value The vehicle's value.
    /// @param currency Its currency, the title's.
    /// @param valuedAt When the appraisal was made: not in the future, not before the caller's previous one.
    /// @param docCid The CID of the sealed appraisal document.
    function setValuation(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        uint256 tokenId,
        uint256 value,
        bytes3 currency,
        uint64 valuedAt,
        string calldata docCid
    ) external {
        ITitleRegistry.Valuation storage v = t.valuations[msg.sender];
        if (value == 0 || value >= _AMOUNT_LIMIT || valuedAt > block.timestamp || valuedAt < v.valuedAt) {
            revert ITitleRegistry.RegistryInvalidValuation(tokenId, value, valuedAt);
        }
        _checkCurrency(t, liens, tokenId, currency);
        _checkDocument(docCid, tokenId, 0);
        _recordValuation(t, v, tokenId, ITitleRegistry.Valuation(msg.sender, value, currency, valuedAt, docCid));
        _review(t, liens, s, tokenId);
    }

    // --- views --------------------------------------------------------------------------------

    /// @notice A title's value, loan-to-value and frozen state now.
    /// @param t The title.
    /// @param s The registry's settings.
    /// @return a The appraisal.
    function appraisal(State storage t, Settings storage s) external view returns (ITitleRegistry.Appraisal memory a) {
        (a,) = _appraise(t, s);
    }

    /// @notice A title's active private lien and its proof state now.
    /// @param t The title.
    /// @param liens The registry's liens, by id - 1.
    /// @param s The registry's settings.
    /// @return The state; `lienId` is 0 if the title has no active private lien.
    function privateLien(State storage t, LienState[] storage liens, Settings storage s)
        external
        view
        returns (ITitleRegistry.PrivateLien memory)
    {
        (ITitleRegistry.Appraisal memory a,) = _appraise(t, s);
        return _privateState(t, liens, s, a);
    }

    /// @notice The EIP-712 struct hash of a consent to a new lien, which the registry's domain
    /// turns into the digest signed.
    /// @param tokenId The title.
    /// @param lender The new lien's holder.
    /// @param amount The new lien's amount.
    /// @param currency The new lien's currency.
    /// @param nonce The signer's nonce.
    /// @param deadline The consent's deadline.
    /// @return The struct hash.
    function consentHash(
        uint256 tokenId,
        address lender,
        uint256 amount,
        bytes3 currency,
        uint256 nonce,
        uint64 deadline
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(CONSENT_TYPEHASH, tokenId, lender, amount, currency, nonce, deadline));
    }

    // --- state changes: one function each, its event right after the write -------------------

    /// @dev Records a new active lien of the caller (amount 0 for a private one).
    function _addLien(State storage t, LienState[] storage liens, Terms memory terms, string calldata docCid)
        private
        returns (uint256 lienId)
    {
        if (t.activeLienIds.length >= MAX_ACTIVE_LIENS) {
            revert ITitleRegistry.RegistryTooManyLiens(terms.tokenId, MAX_ACTIVE_LIENS);
        }
        lienId = liens.length + 1;
        _checkDocument(docCid, terms.tokenId, lienId);
        t.lienIds.push(lienId);
        t.activeLienIds.push(lienId);
        uint32 priority = uint32(t.lienIds.length);
        liens.push().lien = ITitleRegistry.Lien({
            tokenId: terms.tokenId,
            lender: msg.sender,
            maturity: terms.maturity,
            grantedAt: uint64(block.timestamp),
            currency: terms.currency,
            status: ITitleRegistry.LienStatus.Active,
            priority: priority,
            amount: terms.amount,
            docCid: docCid
        });
        t.secured += terms.amount;
        emit ITitleRegistry.LienGranted(
            lienId, terms.tokenId, msg.sender, terms.amount, terms.currency, terms.maturity, priority, docCid
        );
        emit IERC4906.MetadataUpdate(terms.tokenId); // its active liens
    }

    /// @dev Records a private lien's commitment and the limit its grant proved it within.
    function _commitLien(
        State storage t,
        Proof storage p,
        uint256 tokenId,
        uint256 lienId,
        uint256[2] calldata commitment,
        uint256 limit
    ) private {
        t.privateLienId = lienId;
        p.cx = commitment[0];
        p.cy = commitment[1];
        p.provenLimit = limit;
        p.provenAt = uint64(block.timestamp);
        emit ITitleRegistry.LienCommitted(lienId, tokenId, commitment, limit);
    }

    function _acknowledge(Proof storage p, uint256 lienId, uint256 tokenId) private {
        p.acknowledged = true;
        emit ITitleRegistry.LienAcknowledged(lienId, tokenId, msg.sender);
    }

    function _recordProof(Proof storage p, uint256 lienId, uint256 tokenId, uint256 limit) private {
        p.provenLimit = limit;
        p.provenAt = uint64(block.timestamp);
        p.dueSince = 0;
        p.dueMarkedAt = 0;
        p.nonce += 1;
        emit ITitleRegistry.LienProved(lienId, tokenId, limit);
    }

    /// @dev The lien keeps its place and its commitment's history (`LienCommitted`); its proof
    /// state goes, so that nothing treats it as private again.
    function _revealLien(State storage t, LienState storage l, uint256 lienId, uint256 amount) private {
        delete t.privateLienId;
        delete l.proof;
        l.lien.amount = amount;
        t.secured += amount;
        emit ITitleRegistry.LienRevealed(lienId, l.lien.tokenId, amount, msg.sender);
        emit IERC4906.MetadataUpdate(l.lien.tokenId); // its value state
    }

    function _releaseLien(State storage t, ITitleRegistry.Lien storage l, uint256 lienId) private {
        _endLien(t, l, lienId, ITitleRegistry.LienStatus.Released);
        emit ITitleRegistry.LienReleased(lienId, l.tokenId, msg.sender);
        emit IERC4906.MetadataUpdate(l.tokenId); // its active liens
    }

    function _lapseLien(State storage t, ITitleRegistry.Lien storage l, uint256 lienId) private {
        _endLien(t, l, lienId, ITitleRegistry.LienStatus.Lapsed);
        emit ITitleRegistry.LienLapsed(lienId, l.tokenId, msg.sender);
        emit IERC4906.MetadataUpdate(l.tokenId);
    }

    function _forceReleaseLien(State storage t, ITitleRegistry.Lien storage l, uint256 lienId, string memory evidenceCid)
        private
    {
        _endLien(t, l, lienId, ITitleRegistry.LienStatus.Released);
        emit ITitleRegistry.LienForceReleased(lienId, l.tokenId, evidenceCid);
        emit IERC4906.MetadataUpdate(l.tokenId);
    }

    function _releaseAfterPayoff(State storage t, ITitleRegistry.Lien storage l, uint256 lienId, string memory evidenceCid)
        private
    {
        _endLien(t, l, lienId, ITitleRegistry.LienStatus.Released);
        emit ITitleRegistry.LienReleasedAfterPayoff(lienId, l.tokenId, msg.sender, evidenceCid);
        emit IERC4906.MetadataUpdate(l.tokenId);
    }

    /// @dev The lien in default ended before a disposition: the title is active again.
    function _redeem(State storage t, uint256 tokenId, uint256 lienId) private {
        delete t.enforcingLienId;
        delete t.defaultedAt;
        delete t.noticeEndsAt;
        t.title.status = ITitleRegistry.TitleStatus.Active;
        emit ITitleRegistry.TitleStatusChanged(tokenId, ITitleRegistry.TitleStatus.Repossessed, ITitleRegistry.TitleStatus.Active, "");
        emit ITitleRegistry.TitleRedeemed(tokenId, lienId);
    }

    /// @dev The writes every end of a lien makes; its caller emits the event of how it ended.
    function _endLien(State storage t, ITitleRegistry.Lien storage l, uint256 lienId, ITitleRegistry.LienStatus status)
        private
    {
        l.status = status;
        if (t.privateLienId == lienId) delete t.privateLienId;
        // Out of the active list, the others keeping their order (priority): at most 16 moves.
        uint256[] storage active = t.activeLienIds;
        uint256 n = active.length;
        uint256 i = 0;
        while (active[i] != lienId) i++; // it is there: the registry checked it is active
        for (; i + 1 < n; i++) active[i] = active[i + 1];
        active.pop();
        t.secured -= l.amount;
    }

    function _spendConsent(
        mapping(bytes32 digest => bool) storage consentUsed,
        bytes32 digest,
        address signer,
        uint256 lienId
    ) private {
        consentUsed[digest] = true;
        emit ITitleRegistry.ConsentUsed(digest, signer, lienId);
    }

    function _recordValuation(
        State storage t,
        ITitleRegistry.Valuation storage v,
        uint256 tokenId,
        ITitleRegistry.Valuation memory valuation
    ) private {
        if (v.oracle == address(0)) {
            if (t.valuers.length >= MAX_VALUERS) _pruneValuers(t, tokenId);
            t.valuers.push(valuation.oracle);
        }
        v.oracle = valuation.oracle;
        v.value = valuation.value;
        v.currency = valuation.currency;
        v.valuedAt = valuation.valuedAt;
        v.docCid = valuation.docCid;
        emit ITitleRegistry.ValuationSet(
            tokenId, valuation.oracle, valuation.value, valuation.currency, valuation.valuedAt, valuation.docCid
        );
        emit IERC4906.MetadataUpdate(tokenId); // its value state
    }

    /// @dev Forgets the valuations of oracles whose role is gone (they count no more), to make
    /// room for a new oracle's; refuses if every one of them is still an oracle.
    function _pruneValuers(State storage t, uint256 tokenId) private {
        address[] storage valuers = t.valuers;
        for (uint256 i = valuers.length; i > 0; i--) {
            address oracle = valuers[i - 1];
            if (IAccessControl(address(this)).hasRole(_ORACLE_ROLE, oracle)) continue;
            delete t.valuations[oracle];
            valuers[i - 1] = valuers[valuers.length - 1];
            valuers.pop();
        }
        if (valuers.length >= MAX_VALUERS) revert ITitleRegistry.RegistryTooManyValuers(tokenId, MAX_VALUERS);
    }

    function _setFrozen(State storage t, uint256 tokenId, bool frozen, ITitleRegistry.Appraisal memory a) private {
        t.frozen = frozen;
        if (frozen) emit ITitleRegistry.LtvAlert(tokenId, a.ltvBps, a.thresholdBps);
        else emit ITitleRegistry.LtvRecovered(tokenId, a.ltvBps, a.thresholdBps);
    }

    function _settleProof(Proof storage p, uint256 lienId, uint256 tokenId, uint256 limit) private {
        p.dueSince = 0;
        p.dueMarkedAt = 0;
        emit ITitleRegistry.LienProofSettled(lienId, tokenId, limit);
    }

    function _setProofDue(Proof storage p, uint256 lienId, uint256 tokenId, uint256 limit, uint64 since, uint64 window)
        private
    {
        p.dueSince = since;
        p.dueMarkedAt = uint64(block.timestamp);
        emit ITitleRegistry.LienProofDue(lienId, tokenId, limit, since + window);
    }

    // --- internals ----------------------------------------------------------------------------

    /// @dev Every step that anchors a document anchors one: a history whose documents are all
    /// present can be told from one with steps nobody documented.
    function _checkDocument(string calldata docCid, uint256 tokenId, uint256 lienId) private {
        if (bytes(docCid).length == 0) revert ITitleRegistry.RegistryDocumentRequired();
        RegistryStorage.anchor(RegistryStorage.layout(), docCid, tokenId, lienId);
    }

    /// @dev A lien matures in the future and within `_MAX_TERM`: one that never matured would never
    /// lapse, and would hold its title for good.
    function _checkMaturity(uint64 maturity) private view {
        if (maturity <= block.timestamp || maturity > block.timestamp + _MAX_TERM) {
            revert ITitleRegistry.RegistryInvalidMaturity(maturity);
        }
    }

    /// @dev Refuses a new lien of `amount` on a frozen title, one that would cross the threshold
    /// (counting a private lien at its proven limit), any on a stale title (see {_stale}), and
    /// any on a title whose private lien's proof is overdue, or which no auditor acknowledged
    /// within the proof window after its grant. A title whose value does not count
    /// (never valued, or by fewer oracles than the minimum) takes any lien: no one oracle's
    /// valuation, however low or high, decides alone.
    function _checkLtv(State storage t, LienState[] storage liens, Settings storage s, uint256 tokenId, uint256 amount)
        private
        view
    {
        (ITitleRegistry.Appraisal memory a, uint64 latest) = _appraise(t, s);
        ITitleRegistry.PrivateLien memory p = _privateState(t, liens, s, a);
        if (p.overdue) revert ITitleRegistry.RegistryProofOverdue(tokenId, p.lienId, p.deadline);
        if (p.lienId != 0 && !p.acknowledged) {
            uint64 due = liens[p.lienId - 1].lien.grantedAt + s.proofWindow;
            if (block.timestamp > due) revert ITitleRegistry.RegistryLienUnacknowledged(tokenId, p.lienId, due);
        }
        if (a.value == 0) { // no value counts: stale, or unvalued or under-valued
            if (_stale(a)) revert ITitleRegistry.RegistryValuationStale(tokenId, latest);
            return;
        }
        if (a.ltvBps > a.thresholdBps) revert ITitleRegistry.RegistryTitleFrozen(tokenId, a.ltvBps, a.thresholdBps);
        // A private lien counts at the limit it was proved within: a new lien must fit beside it,
        // and none fits while its proof is due (the limit allowed it fell below the proven one).
        uint256 ltvAfter = _ratioBps(a.secured + amount + p.provenLimit, a.value);
        if (ltvAfter > a.thresholdBps) revert ITitleRegistry.RegistryLtvExceeded(tokenId, ltvAfter, a.thresholdBps);
    }

    /// @dev Checks and spends the consents to a new lien of the caller on an encumbered title:
    /// exactly one from each holder of an active lien on it (other than the caller), for these
    /// terms, unexpired and unused; anything else is refused.
    function _useConsents(
        State storage t,
        LienState[] storage liens,
        mapping(bytes32 digest => bool) storage consentUsed,
        bytes32 domainSeparator,
        Terms memory terms,
        ITitleRegistry.Consent[] calldata consents
    ) private {
        address[] memory seniors = _seniorLienholders(t, liens);
        address[] memory signers = new address[](consents.length);
        uint256 lienId = liens.length + 1; // the lien these consents are spent on
        for (uint256 i = 0; i < consents.length; i++) {
            ITitleRegistry.Consent calldata c = consents[i];
            if (c.deadline < block.timestamp) revert ITitleRegistry.RegistryConsentExpired(i, c.deadline);
            bytes32 digest = MessageHashUtils.toTypedDataHash(
                domainSeparator,
                consentHash(terms.tokenId, msg.sender, terms.amount, terms.currency, c.nonce, c.deadline)
            );
            if (consentUsed[digest]) revert ITitleRegistry.RegistryConsentUsed(digest);
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError) revert ITitleRegistry.RegistryConsentInvalid(i);
            // A consent for other terms recovers to an unrelated address: refuse it rather than
            // spend it, so that neither a mistake nor a stranger's signature is silently consumed.
            if (!_contains(seniors, signer)) revert ITitleRegistry.RegistryConsentUnexpected(i, signer);
            signers[i] = signer;
            _spendConsent(consentUsed, digest, signer, lienId);
        }
        for (uint256 i = 0; i < seniors.length; i++) {
            if (!_contains(signers, seniors[i])) {
                revert ITitleRegistry.RegistryConsentMissing(terms.tokenId, seniors[i]);
            }
        }
    }

    /// @dev Checks a private grant's proofs against the title's value and threshold now, and
    /// returns the limit the amount was proved within. The title has no active lien.
    function _verifyGrant(
        State storage t,
        Settings storage s,
        address verifier,
        uint256 tokenId,
        ITitleRegistry.PrivateAmount calldata amount
    ) private view returns (uint256) {
        ITitleRegistry.Appraisal memory a = _freshAppraisal(t, s, tokenId);
        bytes memory subject = abi.encodePacked("grant:", tokenId, msg.sender);
        IZkVerifier v = IZkVerifier(verifier);
        bool ok = v.verifyPositiveRange(block.chainid, address(this), subject, amount.commitment, _AMOUNT_BITS, amount.rangeProof)
            && v.verifyLtv(block.chainid, address(this), subject, amount.commitment, a.value, a.thresholdBps, 0, amount.ltvProof);
        if (!ok) revert ITitleRegistry.RegistryInvalidProof(tokenId);
        return a.value * a.thresholdBps / 10_000;
    }

    function _review(State storage t, LienState[] storage liens, Settings storage s, uint256 tokenId) private {
        (ITitleRegistry.Appraisal memory a,) = _appraise(t, s);
        _reviewPrivate(t, liens, s, tokenId, a);
        if (a.value == 0) return;
        if (!t.valued) t.valued = true;
        bool over = a.ltvBps > a.thresholdBps;
        if (over != t.frozen) _setFrozen(t, tokenId, over, a);
    }

    /// @dev Marks the title's private lien's proof due (once) when the limit fell below it, and
    /// not due when it rose back.
    function _reviewPrivate(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        uint256 tokenId,
        ITitleRegistry.Appraisal memory a
    ) private {
        uint256 lienId = t.privateLienId;
        if (lienId == 0) return;
        Proof storage p = liens[lienId - 1].proof;
        uint256 limit = _privateLimit(a);
        if (limit >= p.provenLimit) {
            // Whether a proof is due is always computed from the appraisal (see `privateLien`);
            // the mark dates a due spell, and its end is told.
            if (p.dueSince != 0) _settleProof(p, lienId, tokenId, limit);
        } else if (p.dueSince == 0) {
            _setProofDue(p, lienId, tokenId, limit, uint64(block.timestamp), s.proofWindow);
        }
    }

    /// @dev The title's appraisal, refused without a value that counts.
    function _freshAppraisal(State storage t, Settings storage s, uint256 tokenId)
        private
        view
        returns (ITitleRegistry.Appraisal memory a)
    {
        uint64 latest;
        (a, latest) = _appraise(t, s);
        if (a.value == 0) {
            if (_stale(a)) revert ITitleRegistry.RegistryValuationStale(tokenId, latest);
            revert ITitleRegistry.RegistryValuationRequired(tokenId);
        }
    }

    /// @dev The title's private lien and whether it owes a proof, given its appraisal now.
    function _privateState(
        State storage t,
        LienState[] storage liens,
        Settings storage s,
        ITitleRegistry.Appraisal memory a
    ) private view returns (ITitleRegistry.PrivateLien memory out) {
        out.lienId = t.privateLienId;
        if (out.lienId == 0) return out;
        Proof storage p = liens[out.lienId - 1].proof;
        out.commitment = [p.cx, p.cy];
        out.acknowledged = p.acknowledged;
        out.provenLimit = p.provenLimit;
        out.provenAt = p.provenAt;
        out.limit = _privateLimit(a);
        out.due = out.limit < p.provenLimit;
        if (!out.due) return out;
        // Due since the operation that made it so, the proof, or the last threshold change,
        // whichever is latest (a threshold change, or a valuation ageing out, touches no title;
        // an operation's mark from before a threshold change that ended it and began another
        // due spell is superseded by that change).
        uint64 since = p.provenAt > s.thresholdChangedAt ? p.provenAt : s.thresholdChangedAt;
        if (p.dueSince > since) since = p.dueSince;
        out.deadline = since + s.proofWindow;
        out.overdue = block.timestamp > out.deadline;
    }

    /// @dev What the threshold allows a title's private lien: its value's threshold less the
    /// public liens; zero without a value that counts.
    function _privateLimit(ITitleRegistry.Appraisal memory a) private pure returns (uint256) {
        uint256 allowed = a.value * a.thresholdBps / 10_000;
        return a.secured >= allowed ? 0 : allowed - a.secured;
    }

    /// @dev Whether a title without a value that counts is stale: its value counted before (an
    /// oracle left, or the minimum rose), or at least the minimum of current oracles valued it and
    /// too many of those valuations aged out. (Otherwise under-valued, or unvalued: a lone oracle
    /// can never make a title stale, and no oracle leaving makes a valued title unlimited.)
    function _stale(ITitleRegistry.Appraisal memory a) private pure returns (bool) {
        return a.counted || uint256(a.freshOracles) + a.staleOracles >= a.minValuations;
    }

    /// @dev The holders of the title's active liens other than the caller, in priority order; a
    /// holder of several active liens appears once per lien.
    function _seniorLienholders(State storage t, LienState[] storage liens)
        private
        view
        returns (address[] memory seniors)
    {
        uint256[] storage ids = t.activeLienIds;
        seniors = new address[](ids.length);
        uint256 n = 0;
        for (uint256 i = 0; i < ids.length; i++) {
            ITitleRegistry.Lien storage senior = liens[ids[i] - 1].lien;
            if (senior.lender == msg.sender) continue;
            seniors[n++] = senior.lender;
        }
        assembly ("memory-safe") {
            // Shrink the array to the lienholders found; n never exceeds its allocated length.
            mstore(seniors, n)
        }
    }

    /// @dev A currency is three capital letters A-Z; a title's valuations and active liens share
    /// one: that of its first oracle's valuation, else of its first active lien; a title with
    /// neither takes any.
    function _checkCurrency(State storage t, LienState[] storage liens, uint256 tokenId, bytes3 currency)
        private
        view
    {
        for (uint256 i = 0; i < 3; i++) {
            bytes1 letter = currency[i];
            if (letter < "A" || letter > "Z") revert ITitleRegistry.RegistryInvalidCurrency(currency);
        }
        bytes3 expected;
        if (t.valuers.length != 0) {
            expected = t.valuations[t.valuers[0]].currency;
        } else if (t.activeLienIds.length != 0) {
            expected = liens[t.activeLienIds[0] - 1].lien.currency;
        }
        if (expected != bytes3(0) && expected != currency) { // zero: nothing set it yet
            revert ITitleRegistry.RegistryCurrencyMismatch(tokenId, expected, currency);
        }
    }

    /// @dev The title's appraisal, and the date of its latest valuation (fresh or not).
    function _appraise(State storage t, Settings storage s)
        private
        view
        returns (ITitleRegistry.Appraisal memory a, uint64 latest)
    {
        address[] storage valuers = t.valuers;
        uint256[] memory fresh = new uint256[](valuers.length);
        uint256 n = 0;
        uint64 stalenessWindow = s.stalenessWindow;
        uint256 current = 0;
        for (uint256 i = 0; i < valuers.length; i++) {
            ITitleRegistry.Valuation storage v = t.valuations[valuers[i]];
            a.currency = v.currency;
            // A revoked oracle's valuation counts no more: no key keeps its say after its role.
            if (!IAccessControl(address(this)).hasRole(_ORACLE_ROLE, v.oracle)) continue;
            current++;
            if (v.valuedAt > latest) latest = v.valuedAt;
            if (uint256(v.valuedAt) + stalenessWindow < block.timestamp) continue;
            // Insertion sort: a title has a handful of oracles.
            uint256 j = n++;
            while (j > 0 && fresh[j - 1] > v.value) {
                fresh[j] = fresh[j - 1];
                j--;
            }
            fresh[j] = v.value;
        }
        a.freshOracles = uint32(n);
        a.staleOracles = uint32(current - n);
        a.minValuations = s.minValuations;
        a.counted = t.valued;
        a.secured = t.secured;
        a.thresholdBps = s.ltvThresholdBps;
        if (n == 0 || n < a.minValuations) return (a, latest); // no value counts yet
        a.value = n % 2 == 1 ? fresh[n / 2] : (fresh[n / 2 - 1] + fresh[n / 2]) / 2;
        a.counted = true;
        a.ltvBps = _ratioBps(a.secured, a.value);
        // As of now, not as of the latest review: a revoked oracle or a valuation ageing out
        // changes it without any transaction on the title.
        a.frozen = a.ltvBps > a.thresholdBps;
    }

    /// @dev `part` over `whole` in basis points, rounded up (so a ratio just over the threshold
    /// never rounds down into it).
    function _ratioBps(uint256 part, uint256 whole) private pure returns (uint256) {
        return (part * 10_000 + whole - 1) / whole;
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
