// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITitleRegistry} from "./ITitleRegistry.sol";

/// @title The registry's operations that run in its lifecycle module
/// @notice These are functions of the registry's own address, as much as those of
/// {ITitleRegistry}: the registry's fallback runs them in {TitleLifecycle} by DELEGATECALL, on
/// the registry's storage, with the registry's events and errors. A client's ABI of the registry
/// is the union of both interfaces (and ERC-721, AccessControl); no selector is in both.
interface ITitleLifecycle {
    /// @notice The lifecycle module was called at its own address instead of through the registry.
    error LifecycleDirectCall();
    /// @notice An assignment's or a subordination's acceptance has expired.
    /// @param deadline Its deadline (unix time).
    error RegistryAcceptanceExpired(uint64 deadline);
    /// @notice An acceptance was already used for this lien: each accepts one assignment or
    /// subordination of each lien it covers.
    /// @param lienId The lien.
    /// @param digest The acceptance's EIP-712 digest.
    error RegistryAcceptanceUsed(uint256 lienId, bytes32 digest);
    /// @notice The acceptance was not signed by the one who must accept (the assignee, or the
    /// holder of the lien a senior subordinates itself to), or does not cover this lien, or is
    /// for other terms (it then recovers to an unrelated address, or to none: the zero address).
    /// @param lienId The lien.
    /// @param signer The address the signature recovers to.
    error RegistryNotAccepted(uint256 lienId, address signer);
    /// @notice A lien is assigned only to another holder of the LENDER role.
    /// @param assignee The account given.
    error RegistryInvalidAssignee(address assignee);
    /// @notice A batch's lists differ in length, or it is empty.
    error RegistryBatchMismatch();
    /// @notice A lien subordinates itself only to an active junior lien on the same title.
    /// @param lienId The lien to subordinate.
    /// @param behindLienId The lien it was to rank behind.
    error RegistryNotSenior(uint256 lienId, uint256 behindLienId);
    /// @notice A private lien stays its title's first lien (its juniors could not have consented to
    /// an amount they cannot see): its holder reveals it before it ranks behind another.
    /// @param lienId The private lien.
    error RegistryPrivateLienStaysFirst(uint256 lienId);

    /// @notice Only the title's owner, or a registrar for an owner without a key, records a payoff.
    /// @param lienId The lien.
    /// @param caller Who tried.
    error RegistryNotBorrower(uint256 lienId, address caller);
    /// @notice The lien's payoff is recorded already.
    /// @param lienId The lien.
    /// @param paidOffAt When it was recorded.
    error RegistryPayoffRecorded(uint256 lienId, uint64 paidOffAt);
    /// @notice No payoff of the lien is recorded (or its holder disputed it).
    /// @param lienId The lien.
    error RegistryNoPayoff(uint256 lienId);
    /// @notice A registrar may release a paid-off lien only past the release deadline and its grace period.
    /// @param lienId The lien.
    /// @param releasableAt The time after which a registrar may (unix time).
    error RegistryReleaseNotOverdue(uint256 lienId, uint64 releasableAt);
    /// @notice The registrar that recorded a payoff may not also release the lien on it: that takes
    /// a second registrar (or the owner's own record).
    /// @param lienId The lien.
    /// @param registrar The registrar.
    error RegistrySameRegistrar(uint256 lienId, address registrar);

    /// @notice The title is already repossessed, for a default on another lien or this one.
    /// @param tokenId The title.
    /// @param lienId The lien in default.
    error RegistryTitleRepossessed(uint256 tokenId, uint256 lienId);
    /// @notice Only a repossessed title is disposed of.
    /// @param tokenId The title.
    error RegistryNotRepossessed(uint256 tokenId);
    /// @notice The notice period after the default runs until `endsAt`: the title is not disposed
    /// of before (the owner may still redeem it).
    /// @param tokenId The title.
    /// @param endsAt When it ends (unix time).
    error RegistryNoticePeriodRunning(uint256 tokenId, uint64 endsAt);
    /// @notice A sale price is zero, or 2**40 minor units or more.
    /// @param price The price given.
    error RegistryInvalidPrice(uint256 price);

    /// @notice A dispute of a payoff comes by its release deadline, or not at all.
    /// @param lienId The lien.
    /// @param releaseDue The deadline.
    error RegistryDisputeTooLate(uint256 lienId, uint64 releaseDue);

    /// @notice A disposition's terms: to whom, for how much, and the odometer reading at the sale.
    struct Sale {
        address buyer;
        uint256 price;
        /// @dev In kilometres; below the last reading only on a title branded odometer-not-actual.
        uint32 odometerKm;
    }

    /// @notice A private lien's opening (amount and blinding factor), revealed at its disposition.
    struct Opening {
        uint256 amount;
        uint256 blinding;
    }

    /// @notice A title in default: the lien its holder enforces, and the notice period.
    struct Enforcement {
        /// @dev The lien in default; 0 if the title is not repossessed.
        uint256 lienId;
        uint64 defaultedAt;
        /// @dev When its holder may dispose of the title (unix time).
        uint64 noticeEndsAt;
    }

    /// @notice A lienholder declared its lien in default: the title is repossessed (no transfer, no
    /// new lien) until it is redeemed or disposed of, not before `noticeEndsAt`.
    /// @param lienId The lien in default.
    /// @param tokenId Its title.
    /// @param lender Its holder.
    /// @param noticeEndsAt When the holder may dispose of the title.
    /// @param docCid The CID of the sealed default notice.
    event LienDefaulted(uint256 indexed lienId, uint256 indexed tokenId, address lender, uint64 noticeEndsAt, string docCid);
    /// @notice Tells each other active lienholder of a title that a lien on it went into default
    /// (one event per lien, so that each lender filters its own).
    /// @param lienId The lien of the lender told.
    /// @param tokenId The title.
    /// @param lender The lender told.
    /// @param defaultedLienId The lien in default.
    event DefaultNotice(uint256 indexed lienId, uint256 indexed tokenId, address indexed lender, uint256 defaultedLienId);
    /// @notice The holder of the lien in default withdrew the default (the borrower cured it): the
    /// title is active again, the lien stays.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param lender Its holder.
    /// @param docCid The CID of the sealed withdrawal.
    event LienDefaultWithdrawn(uint256 indexed lienId, uint256 indexed tokenId, address lender, string docCid);
    /// @notice A disposition paid a lien from the sale price and discharged it.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param lender Its holder.
    /// @param recovered What the price paid it.
    /// @param deficiency What it still lacks: its amount less `recovered` (zero for a lien whose
    /// payoff was on record: it was paid).
    event LienDischarged(uint256 indexed lienId, uint256 indexed tokenId, address lender, uint256 recovered, uint256 deficiency);
    /// @notice The holder of the lien in default sold the title: the waterfall paid that lien and its
    /// juniors by priority (liens senior to it stay on the title), the rest is the owner's surplus.
    /// @param tokenId The title.
    /// @param lienId The lien in default.
    /// @param from The owner before.
    /// @param buyer The buyer, its owner now.
    /// @param price The sale price.
    /// @param surplus What is left for the owner after the liens paid.
    /// @param docCid The CID of the sealed bill of sale.
    event TitleDisposed(
        uint256 indexed tokenId,
        uint256 indexed lienId,
        address from,
        address indexed buyer,
        uint256 price,
        uint256 surplus,
        string docCid
    );

    /// @notice A lien's payoff as recorded, and its release deadlines.
    struct PayoffState {
        /// @dev When the payoff was recorded; 0 if none is (or it was disputed).
        uint64 paidOffAt;
        address recordedBy;
        /// @dev When its holder must have released the lien by.
        uint64 releaseDue;
        /// @dev After when a registrar (not the one who recorded the payoff) may release it.
        uint64 registrarMayReleaseAt;
        /// @dev Whether a review raised `LienReleaseOverdue` for it.
        bool overdue;
    }

    /// @notice The title's owner (or a registrar) recorded that a lien was paid off: its holder
    /// must release it by `releaseDue`.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param by Who recorded it.
    /// @param releaseDue The release deadline (unix time).
    /// @param docCid The CID of the sealed payoff evidence (a receipt).
    event LienPaidOff(uint256 indexed lienId, uint256 indexed tokenId, address by, uint64 releaseDue, string docCid);
    /// @notice A lienholder disputed a recorded payoff, which no longer counts.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param lender The lienholder.
    /// @param docCid The CID of the sealed reasons.
    event LienPayoffDisputed(uint256 indexed lienId, uint256 indexed tokenId, address lender, string docCid);
    /// @notice A paid-off lien was not released by its deadline.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param lender The lienholder that has not released it.
    /// @param releaseDue The deadline it missed.
    event LienReleaseOverdue(uint256 indexed lienId, uint256 indexed tokenId, address lender, uint64 releaseDue);

    /// @notice A lienholder assigned (sold) a lien: the new holder releases it, consents to junior
    /// liens and is paid from it; it keeps its priority and its grant time.
    /// @param lienId The lien.
    /// @param tokenId Its title.
    /// @param from The holder before.
    /// @param to The new holder.
    /// @param docCid The CID of the assignment's sealed document (for a private lien, it carries
    /// the amount's opening for the new holder).
    event LienAssigned(uint256 indexed lienId, uint256 indexed tokenId, address from, address indexed to, string docCid);
    /// @notice A senior lienholder subordinated its lien to a junior one, which accepted: the
    /// senior now ranks right behind it, and the liens between them move up one place each.
    /// @param lienId The lien that moved down.
    /// @param tokenId Its title.
    /// @param behindLienId The lien it now ranks behind.
    /// @param previousOrder The title's active liens in priority order before.
    /// @param order The title's active liens in priority order now.
    /// @param docCid The CID of the subordination agreement's sealed document.
    event LienSubordinated(
        uint256 indexed lienId,
        uint256 indexed tokenId,
        uint256 behindLienId,
        uint256[] previousOrder,
        uint256[] order,
        string docCid
    );

    /// @notice Reviews a title as of now, emitting what time alone changed since its last operation
    /// (a valuation ageing out, an oracle's role revoked, a release deadline passing):
    /// `LienProofDue`, `LtvAlert`, `LtvRecovered` or `LienReleaseOverdue`. Anyone may; it changes
    /// nothing else.
    /// @param tokenId The title.
    function reviewTitle(uint256 tokenId) external;

    /// @notice Assigns liens the caller holds to another LENDER, which accepted them: one EIP-712
    /// `LienAssignmentAcceptance(address from, address to, bytes32 liens, uint256 nonce, uint64
    /// deadline)` signed by the assignee, where `liens` is the root of a Merkle tree (OpenZeppelin's
    /// sorted-pair hashing) over the leaves `keccak256(bytes.concat(keccak256(abi.encode(lienId))))`
    /// of a whole portfolio, so that one signature accepts thousands of liens, sent in as many
    /// batches as the sender likes (a single lien's tree is its leaf: an empty proof). Each lien
    /// keeps its priority and grant time; all or none of a batch is assigned.
    /// @param lienIds The liens, active and held by the caller.
    /// @param to The assignee: a LENDER other than the caller.
    /// @param docCids The CID of each lien's sealed assignment document.
    /// @param acceptance The assignee's acceptance (nonce, deadline, signature).
    /// @param liensRoot The root of the accepted portfolio's tree.
    /// @param proofs Each lien's Merkle proof against `liensRoot`.
    function assignLiens(
        uint256[] calldata lienIds,
        address to,
        string[] calldata docCids,
        ITitleRegistry.Authorization calldata acceptance,
        bytes32 liensRoot,
        bytes32[][] calldata proofs
    ) external;

    /// @notice Subordinates the caller's lien to a junior active lien on the same title whose
    /// holder accepted it: EIP-712 `LienSubordination(uint256 lienId, uint256 behindLienId,
    /// uint256 nonce, uint64 deadline)`. The lien then ranks right behind `behindLienId`; the liens
    /// between them move up one place each (none moves down but the caller's).
    /// @param lienId The caller's lien, active and public.
    /// @param behindLienId The junior lien.
    /// @param docCid The CID of the subordination agreement's sealed document.
    /// @param acceptance The junior holder's acceptance.
    function subordinateLien(
        uint256 lienId,
        uint256 behindLienId,
        string calldata docCid,
        ITitleRegistry.Authorization calldata acceptance
    ) external;

    /// @notice Records, as the title's owner or a registrar (for an owner without a key), that an
    /// active lien was paid off: its holder must release it within the release deadline, or dispute
    /// the payoff. Past the deadline a review raises `LienReleaseOverdue`; past its grace period too,
    /// a registrar other than the one who recorded it may release the lien (`releasePaidOff`).
    /// @param lienId The lien.
    /// @param docCid The CID of the sealed payoff evidence.
    function recordPayoff(uint256 lienId, string calldata docCid) external;

    /// @notice Disputes, as the lienholder, a recorded payoff of its lien: the payoff no longer
    /// counts (the owner's recourse is then a member vote to release the lien).
    /// @param lienId The lien.
    /// @param docCid The CID of the sealed reasons.
    function disputePayoff(uint256 lienId, string calldata docCid) external;

    /// @notice Releases, as a registrar, a paid-off lien its holder has not released, past the
    /// release deadline and its grace period; not the registrar that recorded the payoff.
    /// @param lienId The lien.
    /// @param evidenceCid The CID of the sealed payoff evidence.
    function releasePaidOff(uint256 lienId, string calldata evidenceCid) external;

    /// @notice Sets who, besides a title's owner, may authorize a new lien (governance only).
    /// @param policy The policy.
    /// @dev The current policy is refused with {RegistrySettingUnchanged}.
    function setAuthorizationPolicy(ITitleRegistry.AuthorizationPolicy policy) external;

    /// @notice Sets the loan-to-value threshold (governance only). Frozen states follow at each
    /// title's next valuation, grant or release; grants are always checked against the current one.
    /// @param thresholdBps 1 to 10000 basis points (7000 = 70%).
    /// @dev The current value is refused with {RegistrySettingUnchanged}.
    function setLtvThreshold(uint256 thresholdBps) external;

    /// @notice Sets how long a valuation counts toward a title's value (governance only).
    /// @param windowSeconds The window, in seconds (default 180 days).
    /// @dev The current value is refused with {RegistrySettingUnchanged}.
    function setStalenessWindow(uint64 windowSeconds) external;

    /// @notice Sets how long a private lienholder has to prove its lien again (governance only);
    /// a new window applies to the deadlines of proofs already due too.
    /// @param windowSeconds The window, in seconds (default 7 days).
    /// @dev The current value is refused with {RegistrySettingUnchanged}.
    function setProofWindow(uint64 windowSeconds) external;

    /// @notice Sets how many fresh valuations of current oracles a title's value needs (governance only).
    /// @param count 1 to 16 (the most oracles a title keeps valuations of); default 2.
    /// @dev The current value is refused with {RegistrySettingUnchanged}.
    function setMinValuations(uint8 count) external;

    /// @notice Sets how long after its maturity a lien lapses (governance only).
    /// @param graceSeconds The grace period, in seconds (default 90 days).
    /// @dev The current value is refused with {RegistrySettingUnchanged}.
    function setLapseGrace(uint64 graceSeconds) external;

    /// @notice Sets how long a lienholder has to release a paid-off lien (governance only).
    /// @param deadlineSeconds One second to ten years.
    function setReleaseDeadline(uint64 deadlineSeconds) external;

    /// @notice Sets how long after the release deadline a registrar may release a paid-off lien
    /// (governance only).
    /// @param graceSeconds Zero to ten years.
    function setReleaseGrace(uint64 graceSeconds) external;

    /// @notice How long a lienholder has to release a paid-off lien.
    /// @return The deadline, in seconds.
    function releaseDeadline() external view returns (uint64);

    /// @notice How long after the release deadline a registrar may release a paid-off lien.
    /// @return The grace period, in seconds.
    function releaseGrace() external view returns (uint64);

    /// @notice A lien's recorded payoff and its release deadlines.
    /// @param lienId The lien.
    /// @return The payoff (all zero if none is recorded).
    function payoff(uint256 lienId) external view returns (PayoffState memory);

    /// @notice Declares, as its holder, an active lien in default: the title becomes repossessed
    /// (no transfer, no new lien) and every other active lienholder is told (`DefaultNotice`). The
    /// owner may redeem the title until its disposition: once the lien ends (released, after a
    /// payoff or by vote, or lapsed) the title is active again.
    /// @param lienId The lien, on an active title.
    /// @param docCid The CID of the sealed default notice.
    function declareDefault(uint256 lienId, string calldata docCid) external;

    /// @notice Sells, as the holder of the lien in default, a repossessed title past the notice
    /// period: the registry pays that lien and each junior one from the price by priority (each up
    /// to its amount; a junior whose payoff is on record was paid, and gets nothing), discharges
    /// them, records each one's recovery and deficiency and the owner's surplus, and moves the title
    /// to the buyer, active, with the liens senior to the one in default still on it. No
    /// lienholder sells on its key alone: an EIP-712 `SaleAuthorization(tokenId, lienId,
    /// defaultedAt, buyer, price, nonce, deadline)` signed by the owner (a surrender) or by a
    /// registrar other than the sender binds this default, buyer and price. Refused while the lien
    /// in default has a payoff on record (until its holder disputes it). A private lien in default
    /// is revealed in the same transaction, from `opening` (ignored for a public one).
    /// The odometer reading at the sale is recorded (`OdometerRecorded`), and the title's brands
    /// stay with it.
    /// @param tokenId The title.
    /// @param sale The buyer (not the zero address nor the owner), the price in the liens'
    /// currency (1 to 2**40 - 1 minor units) and the odometer reading.
    /// @param docCid The CID of the sealed bill of sale.
    /// @param authorization The owner's or a registrar's authorization of the sale.
    /// @param opening A private lien in default's amount and blinding factor.
    function disposeTitle(
        uint256 tokenId,
        Sale calldata sale,
        string calldata docCid,
        ITitleRegistry.Authorization calldata authorization,
        Opening calldata opening
    ) external;

    /// @notice Withdraws, as its holder, the default of a lien (the borrower cured it): the title
    /// is active again and the lien stays.
    /// @param lienId The lien in default.
    /// @param docCid The CID of the sealed withdrawal.
    function withdrawDefault(uint256 lienId, string calldata docCid) external;

    /// @notice Sets how long after a default its lienholder must wait to dispose of the title
    /// (governance only).
    /// @param noticeSeconds One second to ten years.
    function setNoticePeriod(uint64 noticeSeconds) external;

    /// @notice How long after a default its lienholder must wait to dispose of the title.
    /// @return The notice period, in seconds.
    function noticePeriod() external view returns (uint64);

    /// @notice A title's default, if it is repossessed.
    /// @param tokenId The title.
    /// @return The enforcement (all zero if the title is not repossessed).
    function enforcement(uint256 tokenId) external view returns (Enforcement memory);

    /// @notice What a disposition paid a discharged lien.
    /// @param lienId The lien.
    /// @return recovered What the price paid it (0 for a lien no disposition discharged).
    function recovery(uint256 lienId) external view returns (uint256 recovered);

    /// @notice Who anchored a document first, the sender of the first step that carried its CID,
    /// and that step's subject.
    /// @param cid The CID.
    /// @return author The account; the zero address if no step anchored it (an attachment, recorded alone).
    /// @return tokenId The step's title.
    /// @return lienId The step's lien; 0 for a step about the title.
    function anchoring(string calldata cid) external view returns (address author, uint256 tokenId, uint256 lienId);

    /// @notice When the business a document is about ended, for its retention (see {IDocumentRegistry}).
    /// @param tokenId The title.
    /// @param lienId The lien the document is about, or 0 for a document about the title.
    /// @param sinceHoldings For a document about the title: how many holdings of the title had
    /// ended when the document was recorded. The business of its owner of the time ends with the
    /// next end; on a cancelled title, with the cancellation at the latest.
    /// @return endedAt When the lien ended (released, lapsed or discharged), or when the title next
    /// changed hands or was cancelled; 0 while the business goes on.
    /// @return holdingsEnded How many holdings of the title have ended so far: one per transfer,
    /// and one for its cancellation.
    function retentionClock(uint256 tokenId, uint256 lienId, uint256 sinceHoldings)
        external
        view
        returns (uint64 endedAt, uint256 holdingsEnded);

    /// @notice Reads many liens in one call (a portfolio's check before its assignment).
    /// @param lienIds The liens.
    /// @return out Each lien, in the order asked.
    function lienBatch(uint256[] calldata lienIds) external view returns (ITitleRegistry.Lien[] memory out);
    /// @notice Brands a title (REGISTRAR): salvage, flood, rebuilt, junk or odometer-not-actual.
    /// The brand stays with the title through every transfer and disposition, and shows in its
    /// `tokenURI`; only a member vote removes it ({removeBrand}). Refused for a brand the title
    /// carries already ({ITitleRegistry-RegistryBrandPresent}) and on a cancelled title.
    /// @param tokenId The title.
    /// @param brand The brand.
    /// @param docCid The CID of the sealed document of the brand (an insurer's total-loss report).
    function brandTitle(uint256 tokenId, ITitleRegistry.Brand brand, string calldata docCid) external;

    /// @notice Removes a brand from a title, on evidence (governance only: a registrar gets
    /// {ITitleRegistry-RegistryBrandRemovalNeedsVote}). Refused for a brand the title does not
    /// carry and on a cancelled title.
    /// @param tokenId The title.
    /// @param brand The brand.
    /// @param evidenceCid The CID of the sealed evidence document (a court order, an inspection).
    function removeBrand(uint256 tokenId, ITitleRegistry.Brand brand, string calldata evidenceCid) external;

    /// @notice Records an odometer reading of a title (REGISTRAR), outside a transfer (which
    /// records one too). A reading below the last one is refused
    /// ({ITitleRegistry-RegistryOdometerRollback}) unless the title is branded odometer-not-actual.
    /// Refused on a cancelled title.
    /// @param tokenId The title.
    /// @param km The reading, in kilometres.
    /// @param docCid The CID of the sealed document of the reading (an inspection report).
    function recordOdometer(uint256 tokenId, uint32 km, string calldata docCid) external;

    /// @notice The latest valuation of each oracle that valued the title, in the order they first did.
    /// @param tokenId The title.
    /// @return The valuations, fresh and stale.
    function valuations(uint256 tokenId) external view returns (ITitleRegistry.Valuation[] memory);
}
