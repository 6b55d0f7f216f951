// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The vehicle title and lien register of a lienchain consortium
/// @notice Titles are ERC-721 tokens with `tokenId = uint256(keccak256(bytes(normalizedVin)))`.
/// Liens rank by priority in the order they were granted; a lien on an encumbered title needs the
/// EIP-712 consent of every senior active lienholder, and every lien the authorization of the
/// title's owner (or, where the consortium's policy allows, of a registrar other than the lender).
/// Titles change hands only through a registrar, with the owner's authorization or a second
/// registrar's, and never while a lien is active.
interface ITitleRegistry {
    /// @notice The life-cycle state of a title. Salvage is no status but a brand ({Brand}): a
    /// salvage vehicle may still be active, change hands and be liened.
    enum TitleStatus {
        Active,
        Stolen,
        Cancelled,
        /// @dev A lienholder declared default: no transfer and no new lien until the title is
        /// redeemed (the defaulted lien ends) or disposed of.
        Repossessed
    }

    /// @notice A brand on a title: a fact about the vehicle that stays with its title through every
    /// transfer and disposition. A registrar adds one; only a member vote removes one.
    /// @dev A title keeps its brands as a bit mask, bit `b` for brand `b` (see {Title}).
    enum Brand {
        Salvage,
        Flood,
        Rebuilt,
        Junk,
        /// @dev The odometer does not show the vehicle's actual distance: a reading below the
        /// last one is accepted only on a title with this brand.
        OdometerNotActual
    }

    /// @notice The life-cycle state of a lien.
    enum LienStatus {
        None,
        Active,
        Released,
        Lapsed,
        /// @dev Ended by a disposition of its title, which paid it in full, in part or not at all.
        Discharged
    }

    /// @notice A title as stored on chain; the owner is the ERC-721 owner of the token.
    struct Title {
        string vin;
        string docCid;
        TitleStatus status;
        uint64 registeredAt;
        /// @dev Its brands: bit `b` set for each {Brand} `b` it carries.
        uint8 brands;
        /// @dev Its latest odometer reading, in kilometres, and when it was recorded (0: never).
        uint32 odometerKm;
        uint64 odometerAt;
    }

    /// @notice A lien as stored on chain.
    /// @dev `priority` is the lien's rank among all liens ever granted on its title (1 = first).
    struct Lien {
        uint256 tokenId;
        address lender;
        uint64 maturity;
        uint64 grantedAt;
        bytes3 currency;
        LienStatus status;
        uint32 priority;
        uint256 amount;
        string docCid;
    }

    /// @notice One oracle's latest valuation of a title.
    struct Valuation {
        address oracle;
        uint256 value;
        bytes3 currency;
        uint64 valuedAt;
        string docCid;
    }

    /// @notice A title's value and loan-to-value as the registry sees them now.
    /// @dev `value` is the median of the latest valuation of each current oracle valued within
    /// the staleness window (the mean of the two middle ones for an even count), once there are
    /// at least `minValuations` of them; zero otherwise: no one oracle sets a title's value.
    /// Below the minimum, a title whose value counted before, or that at least `minValuations`
    /// current oracles valued, is stale (it takes no lien until valued again: no oracle leaving,
    /// renouncing or being revoked lifts a title's limit); one that fewer did and whose value never
    /// counted is under-valued (it takes liens as an unvalued one does). `ltvBps` is the active liens'
    /// total over `value`, in basis points, rounded up.
    struct Appraisal {
        uint256 value;
        bytes3 currency;
        uint32 freshOracles;
        uint32 staleOracles;
        uint32 minValuations;
        /// @dev Whether the title's value ever counted: then it never goes back to taking liens
        /// without a limit, whatever oracles come and go (it is stale until valued again).
        bool counted;
        uint256 secured;
        uint256 ltvBps;
        uint256 thresholdBps;
        bool frozen;
    }

    /// @notice A private lien's amount, as the grant carries it: a Pedersen commitment on BN254
    /// (amount*G + blinding*H, see lienchain.zk), a proof that it is in [0, 2**40), and a proof
    /// that it is at most the loan-to-value threshold of the title's value (see {ZkVerifier}).
    struct PrivateAmount {
        uint256[2] commitment;
        bytes rangeProof;
        bytes ltvProof;
    }

    /// @notice The proof state of a title's private lien.
    /// @dev `provenLimit` is the limit its latest loan-to-value proof showed the amount within;
    /// `limit` is what the threshold allows now: the threshold of the title's value less its
    /// public liens (zero when there is no fresh valuation). While `limit < provenLimit` a new
    /// proof is due, by `deadline`; after it the title is `overdue` and takes no new lien.
    struct PrivateLien {
        uint256 lienId;
        uint256[2] commitment;
        uint256 provenLimit;
        uint64 provenAt;
        uint256 limit;
        uint64 deadline;
        bool due;
        bool overdue;
        /// @dev Whether an auditor acknowledged that it opened the lien's amount (see {acknowledgeLien}).
        bool acknowledged;
    }

    /// @notice A senior lienholder's signed consent to one new lien (EIP-712 `LienConsent`).
    struct Consent {
        uint256 nonce;
        uint64 deadline;
        bytes signature;
    }

    /// @notice A title owner's or a registrar's signed authorization of one new lien (EIP-712
    /// `LienAuthorization`) or of one transfer (`TransferAuthorization`).
    struct Authorization {
        uint256 nonce;
        uint64 deadline;
        bytes signature;
    }

    /// @notice Who, besides a title's owner, may authorize a new lien on it (set by member vote).
    enum AuthorizationPolicy {
        /// @dev The owner, or a registrar other than the lender (for owners without keys).
        OwnerOrRegistrar,
        /// @dev The owner alone.
        OwnerOnly
    }

    /// @notice Every step that anchors a document needs one: its CID is empty.
    error RegistryDocumentRequired();
    /// @notice An authorization's signature is malformed.
    error RegistryAuthorizationInvalid();
    /// @notice The authorization was already used: each authorizes one lien or one transfer.
    /// @param digest Its EIP-712 digest.
    error RegistryAuthorizationUsed(bytes32 digest);
    /// @notice An authorization's deadline has passed.
    /// @param deadline Its deadline (unix time).
    error RegistryAuthorizationExpired(uint64 deadline);
    /// @notice The authorization was signed by someone who may not authorize this lien or
    /// transfer (not the owner; not a registrar, or one the policy does not admit, or the caller
    /// itself), or it was signed for other terms (it then recovers to an unrelated address).
    /// @param tokenId The title.
    /// @param signer The address the signature recovers to.
    error RegistryNotAuthorized(uint256 tokenId, address signer);

    /// @notice The title's private lien was not acknowledged by an auditor within the proof window
    /// after its grant: no one checked that the auditors can open its amount, so the title takes
    /// no new lien until one does.
    /// @param tokenId The title.
    /// @param lienId The private lien.
    /// @param deadline When its acknowledgement was due (unix time).
    error RegistryLienUnacknowledged(uint256 tokenId, uint256 lienId, uint64 deadline);
    /// @notice The private lien was already acknowledged.
    /// @param lienId The lien.
    error RegistryLienAcknowledged(uint256 lienId);
    /// @notice The lien has not lapsed yet: its maturity and the grace period after it are still ahead.
    /// @param lienId The lien.
    /// @param lapsesAt The time after which it lapses (unix time).
    error RegistryLienNotLapsed(uint256 lienId, uint256 lapsesAt);
    /// @notice A title carries as many active liens as a title may (16): release one first.
    /// @param tokenId The title.
    /// @param max The most active liens a title carries.
    error RegistryTooManyLiens(uint256 tokenId, uint256 max);
    /// @notice As many current oracles as a title keeps valuations of (16) have valued it.
    /// @param tokenId The title.
    /// @param max The most oracles whose valuations a title keeps.
    error RegistryTooManyValuers(uint256 tokenId, uint256 max);
    /// @notice A forced release needs the CID of its evidence document.
    /// @param lienId The lien.
    error RegistryEvidenceRequired(uint256 lienId);
    /// @notice A currency is not three capital letters A-Z (an ISO 4217 code).
    /// @param currency The currency given.
    error RegistryInvalidCurrency(bytes3 currency);
    /// @notice A valuation is zero or 2**40 minor units or more, dated in the future, or older
    /// than the oracle's previous one.
    /// @param tokenId The title.
    /// @param value The value posted.
    /// @param valuedAt The appraisal date posted.
    error RegistryInvalidValuation(uint256 tokenId, uint256 value, uint64 valuedAt);
    /// @notice An amount or valuation is in another currency than the title's valuations or liens.
    /// @param tokenId The title.
    /// @param expected The title's currency.
    /// @param actual The currency given.
    error RegistryCurrencyMismatch(uint256 tokenId, bytes3 expected, bytes3 actual);
    /// @notice The title's liens exceed the loan-to-value threshold: it takes no new lien.
    /// @param tokenId The title.
    /// @param ltvBps The title's loan-to-value, in basis points.
    /// @param thresholdBps The threshold, in basis points.
    error RegistryTitleFrozen(uint256 tokenId, uint256 ltvBps, uint256 thresholdBps);
    /// @notice The new lien would take the title over the loan-to-value threshold.
    /// @param tokenId The title.
    /// @param ltvBps The loan-to-value the operation would make, in basis points.
    /// @param thresholdBps The threshold, in basis points.
    error RegistryLtvExceeded(uint256 tokenId, uint256 ltvBps, uint256 thresholdBps);
    /// @notice Every valuation of the title is older than the staleness window: appraise it again.
    /// @param tokenId The title.
    /// @param latestValuedAt The date of the title's latest valuation.
    error RegistryValuationStale(uint256 tokenId, uint64 latestValuedAt);
    /// @notice A loan-to-value threshold must be 1 to 10000 basis points, a staleness window non-zero.
    /// @param value The value refused.
    error RegistryInvalidSetting(uint256 value);
    /// @notice A setting is given the value it already has: a vote that changes nothing would still
    /// count as a change (a new threshold makes private liens' proofs due again).
    /// @param value The current value.
    error RegistrySettingUnchanged(uint256 value);

    /// @notice A VIN is not 17 characters of 0-9 and A-Z without I, O and Q.
    /// @param vin The VIN given.
    error RegistryInvalidVIN(string vin);
    /// @notice A title with this token id is already registered.
    /// @param tokenId The title.
    error RegistryTitleExists(uint256 tokenId);
    /// @notice No title is registered with this token id.
    /// @param tokenId The token id given.
    error RegistryUnknownTitle(uint256 tokenId);
    /// @notice The title is not active (stolen or cancelled) and cannot take this operation.
    /// @param tokenId The title.
    /// @param status The title's status.
    error RegistryTitleNotActive(uint256 tokenId, TitleStatus status);
    /// @notice The title is cancelled; a cancelled title never changes again.
    /// @param tokenId The title.
    error RegistryTitleCancelled(uint256 tokenId);
    /// @notice The title already has the requested status.
    /// @param tokenId The title.
    /// @param status The status it already has.
    error RegistryStatusUnchanged(uint256 tokenId, TitleStatus status);
    /// @notice The title carries active liens and cannot change hands.
    /// @param tokenId The title.
    /// @param activeLiens The number of its active liens.
    error RegistryTitleEncumbered(uint256 tokenId, uint256 activeLiens);
    /// @notice A title becomes repossessed only by its lienholder's default, and leaves that status
    /// only by redemption, disposition, its lender's withdrawal of the default, or a member vote: no
    /// status change sets it, and only governance's lifts it.
    /// @param tokenId The title.
    error RegistryRepossessionByDefault(uint256 tokenId);
    /// @notice Only governance cancels a title: a cancellation can never be undone.
    /// @param tokenId The title.
    error RegistryCancellationNeedsVote(uint256 tokenId);
    /// @notice The new owner is the zero address or already owns the title.
    /// @param owner The owner given.
    error RegistryInvalidOwner(address owner);
    /// @notice Titles change hands only through `transferTitle` by a registrar.
    error RegistryDirectTransferDisabled();
    /// @notice No lien exists with this id.
    /// @param lienId The lien id given.
    error RegistryUnknownLien(uint256 lienId);
    /// @notice The lien was already released.
    /// @param lienId The lien.
    error RegistryLienNotActive(uint256 lienId);
    /// @notice Only the lienholder may release its lien.
    /// @param lienId The lien.
    /// @param caller The account that tried.
    /// @param lienholder The lien's holder.
    error RegistryNotLienholder(uint256 lienId, address caller, address lienholder);
    /// @notice A public lien amount is zero, or 2**40 minor units or more (the bound of private amounts).
    /// @param amount The amount given.
    error RegistryInvalidAmount(uint256 amount);
    /// @notice The maturity date is not in the future, or more than 30 years ahead (a lien that
    /// never matures would never lapse).
    /// @param maturity The maturity given.
    error RegistryInvalidMaturity(uint64 maturity);
    /// @notice A senior active lienholder has not consented to the new lien.
    /// @param tokenId The title.
    /// @param seniorLienholder The first holder of an active lien on it whose consent is missing.
    error RegistryConsentMissing(uint256 tokenId, address seniorLienholder);
    /// @notice A consent signature does not recover to any address.
    /// @param index The consent's position in the `consents` argument.
    error RegistryConsentInvalid(uint256 index);
    /// @notice A consent's deadline has passed.
    /// @param index The consent's position in the `consents` argument.
    /// @param deadline The consent's deadline.
    error RegistryConsentExpired(uint256 index, uint64 deadline);
    /// @notice A consent was already used for another lien.
    /// @param digest The consent's EIP-712 digest.
    error RegistryConsentUsed(bytes32 digest);
    /// @notice A consent recovers to an account that holds no active senior lien on the title (other
    /// than the caller): it was signed by someone else, or for other terms (lender, amount, currency,
    /// nonce or deadline), which recover to an unrelated address.
    /// @param index The consent's position in the `consents` argument.
    /// @param signer The address the signature recovers to.
    error RegistryConsentUnexpected(uint256 index, address signer);

    /// @notice A private lien's commitment or proof did not verify.
    /// @param tokenId The title.
    error RegistryInvalidProof(uint256 tokenId);
    /// @notice A private lien is granted only as a title's first active lien (its seniors could
    /// not consent to an amount they cannot see).
    /// @param tokenId The title.
    /// @param activeLiens The number of its active liens.
    error RegistryPrivateLienNotFirst(uint256 tokenId, uint256 activeLiens);
    /// @notice A private lien needs a value of the title to prove its loan-to-value against: at
    /// least the minimum of fresh valuations.
    /// @param tokenId The title.
    error RegistryValuationRequired(uint256 tokenId);
    /// @notice The title's private lien owes a new loan-to-value proof since `deadline`: the title
    /// takes no new lien until it is proved (or released).
    /// @param tokenId The title.
    /// @param lienId Its private lien.
    /// @param deadline When the proof was due.
    error RegistryProofOverdue(uint256 tokenId, uint256 lienId, uint64 deadline);
    /// @notice The lien is not private: its amount is public and needs no proof.
    /// @param lienId The lien.
    error RegistryLienNotPrivate(uint256 lienId);
    /// @notice Only a private lien's holder may reveal its amount, or an auditor once its proof is
    /// overdue, a proof window after a write found it due, while a value counts.
    /// @param lienId The private lien.
    /// @param caller Who tried.
    error RegistryRevealNotAllowed(uint256 lienId, address caller);
    /// @notice The amount and blinding factor do not open the private lien's commitment.
    /// @param lienId The private lien.
    error RegistryInvalidOpening(uint256 lienId);
    /// @notice The title already carries this brand.
    /// @param tokenId The title.
    /// @param brand The brand.
    error RegistryBrandPresent(uint256 tokenId, Brand brand);
    /// @notice The title does not carry this brand, so there is none to remove.
    /// @param tokenId The title.
    /// @param brand The brand.
    error RegistryBrandAbsent(uint256 tokenId, Brand brand);
    /// @notice Only governance removes a brand: a brand warns every later buyer and lender, so no
    /// one registrar's key may wash it off a title.
    /// @param tokenId The title.
    /// @param brand The brand.
    error RegistryBrandRemovalNeedsVote(uint256 tokenId, Brand brand);
    /// @notice An odometer reading is below the title's last one, and the title is not branded
    /// {Brand-OdometerNotActual}.
    /// @param tokenId The title.
    /// @param last The last reading, in kilometres.
    /// @param km The reading given.
    error RegistryOdometerRollback(uint256 tokenId, uint32 last, uint32 km);
    /// @notice A founding role given to the constructor is not one of the registry's four roles
    /// (REGISTRAR, LENDER, ORACLE, AUDITOR), names the zero address, or has no account beside it.
    /// @param index The position of the refused entry in the constructor's arrays.
    /// @param account The account it names (the zero address if the arrays' lengths differ).
    /// @param role The role it names (zero if the arrays' lengths differ).
    error RegistryInvalidFoundingRole(uint256 index, address account, bytes32 role);

    /// @notice A registrar registered a title.
    /// @param tokenId The title.
    /// @param vin Its normalized VIN.
    /// @param owner Its first owner.
    /// @param docCid The CID of the sealed title document.
    event TitleRegistered(uint256 indexed tokenId, string vin, address indexed owner, string docCid);
    /// @notice An auditor opened a private lien's sealed amount, checked it against the commitment,
    /// and acknowledged so.
    /// @param lienId The private lien.
    /// @param tokenId The title.
    /// @param auditor The auditor.
    event LienAcknowledged(uint256 indexed lienId, uint256 indexed tokenId, address indexed auditor);
    /// @notice An authorization of a lien or a transfer was used (each counts once).
    /// @param digest Its EIP-712 digest.
    /// @param signer The owner or registrar who signed it.
    /// @param tokenId The title.
    event AuthorizationUsed(bytes32 indexed digest, address indexed signer, uint256 indexed tokenId);
    /// @notice Governance changed how many fresh valuations a title's value needs.
    /// @param previous The minimum before.
    /// @param count The minimum now.
    event MinValuationsChanged(uint8 previous, uint8 count);
    /// @notice Governance changed who may authorize a new lien.
    /// @param previous The policy before.
    /// @param policy The policy now.
    event AuthorizationPolicyChanged(AuthorizationPolicy previous, AuthorizationPolicy policy);
    /// @notice A registrar recorded the transfer of a title to a new owner.
    /// @param tokenId The title.
    /// @param from The previous owner.
    /// @param to The new owner.
    /// @param docCid The CID of the sealed transfer document, now the title's document.
    event TitleTransferred(uint256 indexed tokenId, address indexed from, address indexed to, string docCid);
    /// @notice A registrar changed the status of a title.
    /// @param tokenId The title.
    /// @param previous The status it had.
    /// @param status The status it has now.
    /// @param docCid The CID of the sealed document of the change (a police report, a record of it).
    event TitleStatusChanged(uint256 indexed tokenId, TitleStatus previous, TitleStatus status, string docCid);
    /// @notice A registrar branded a title.
    /// @param tokenId The title.
    /// @param brand The brand, which stays with the title until a member vote removes it.
    /// @param by The registrar.
    /// @param docCid The CID of the sealed document of the brand (an insurer's total-loss report).
    event TitleBranded(uint256 indexed tokenId, Brand brand, address indexed by, string docCid);
    /// @notice Governance removed a brand from a title, on the evidence of a document.
    /// @param tokenId The title.
    /// @param brand The brand removed.
    /// @param evidenceCid The CID of the sealed evidence document.
    event BrandRemoved(uint256 indexed tokenId, Brand brand, string evidenceCid);
    /// @notice An odometer reading of a title was recorded: on its own, or with a transfer (then
    /// the transfer's document carries it).
    /// @param tokenId The title.
    /// @param km The reading, in kilometres.
    /// @param by The registrar who recorded it.
    /// @param docCid The CID of the sealed document the reading comes from.
    event OdometerRecorded(uint256 indexed tokenId, uint32 km, address indexed by, string docCid);
    /// @notice A lender was granted a lien on a title.
    /// @param lienId The new lien.
    /// @param tokenId The title.
    /// @param lender The lienholder.
    /// @param amount The amount secured, in minor units; 0 for a private lien.
    /// @param currency The ISO 4217 code of its currency.
    /// @param maturity When the loan matures (unix time).
    /// @param priority The lien's rank among the title's liens (1 = first).
    /// @param docCid The CID of the sealed loan document.
    event LienGranted(
        uint256 indexed lienId,
        uint256 indexed tokenId,
        address indexed lender,
        uint256 amount,
        bytes3 currency,
        uint64 maturity,
        uint32 priority,
        string docCid
    );
    /// @notice A private lien was granted (its `LienGranted` event carries amount 0): its amount
    /// commitment, and the limit its loan-to-value proof showed the amount within.
    /// @param lienId The private lien.
    /// @param tokenId The title.
    /// @param commitment The amount's Pedersen commitment (x, y on BN254).
    /// @param provenLimit The limit its grant proved the amount within.
    event LienCommitted(uint256 indexed lienId, uint256 indexed tokenId, uint256[2] commitment, uint256 provenLimit);
    /// @notice A private lien's amount was proved within `provenLimit` again.
    /// @param lienId The private lien.
    /// @param tokenId The title.
    /// @param provenLimit The limit the new proof showed the amount within.
    event LienProved(uint256 indexed lienId, uint256 indexed tokenId, uint256 provenLimit);
    /// @notice A private lien's amount was revealed against its commitment: the lien is public from now on.
    /// @param lienId The lien.
    /// @param tokenId The title.
    /// @param amount Its amount, in minor units.
    /// @param by Who revealed it: its holder, or an auditor after its proof was overdue.
    event LienRevealed(uint256 indexed lienId, uint256 indexed tokenId, uint256 amount, address by);
    /// @notice What the threshold allows a title's private lien fell below what its proof showed:
    /// a new proof is due by `deadline`, else the title takes no new lien.
    /// @param lienId The private lien.
    /// @param tokenId The title.
    /// @param limit What the threshold allows the lien now.
    /// @param deadline When the new proof is due (unix time).
    event LienProofDue(uint256 indexed lienId, uint256 indexed tokenId, uint256 limit, uint64 deadline);
    /// @notice What the threshold allows a title's private lien rose back to what its proof showed
    /// (a new valuation, a release): the proof that was due no longer is.
    /// @param lienId The private lien.
    /// @param tokenId The title.
    /// @param limit What the threshold allows the lien now.
    event LienProofSettled(uint256 indexed lienId, uint256 indexed tokenId, uint256 limit);
    /// @notice Governance changed how long a private lienholder has to prove its lien again.
    /// @param previousSeconds The window before.
    /// @param windowSeconds The window now.
    event ProofWindowChanged(uint64 previousSeconds, uint64 windowSeconds);
    /// @notice A lienholder released its lien.
    /// @param lienId The lien.
    /// @param tokenId The title.
    /// @param lender The lienholder who released it.
    event LienReleased(uint256 indexed lienId, uint256 indexed tokenId, address indexed lender);
    /// @notice A lien past its maturity and the lapse grace period was marked lapsed: it no longer
    /// encumbers its title.
    /// @param lienId The lien.
    /// @param tokenId The title.
    /// @param by The account that marked it (anyone may).
    event LienLapsed(uint256 indexed lienId, uint256 indexed tokenId, address indexed by);
    /// @notice Governance released a lien, on the evidence of a document (a court order, a proof of payoff).
    /// @param lienId The lien.
    /// @param tokenId The title.
    /// @param evidenceCid The CID of the sealed evidence document.
    event LienForceReleased(uint256 indexed lienId, uint256 indexed tokenId, string evidenceCid);
    /// @notice Governance changed how long after its maturity a lien lapses.
    /// @param previousSeconds The grace period before.
    /// @param graceSeconds The grace period now.
    event LapseGraceChanged(uint64 previousSeconds, uint64 graceSeconds);
    /// @notice A repossessed title returned to active: the lien in default ended (released, by its
    /// holder or on a payoff, by vote, or lapsed) before a disposition.
    /// @param tokenId The title.
    /// @param lienId The lien that was in default.
    event TitleRedeemed(uint256 indexed tokenId, uint256 lienId);
    /// @notice Governance changed how long after a default its lienholder must wait to dispose of the title.
    /// @param previousSeconds The notice period before.
    /// @param noticeSeconds The notice period now.
    event NoticePeriodChanged(uint64 previousSeconds, uint64 noticeSeconds);
    /// @notice A registrar released a paid-off lien whose holder had not, past the release deadline
    /// and its grace period.
    /// @param lienId The lien.
    /// @param tokenId The title.
    /// @param registrar The registrar.
    /// @param evidenceCid The CID of the payoff evidence.
    event LienReleasedAfterPayoff(uint256 indexed lienId, uint256 indexed tokenId, address registrar, string evidenceCid);
    /// @notice Governance changed how long a lienholder has to release a paid-off lien.
    /// @param previousSeconds The deadline before.
    /// @param deadlineSeconds The deadline now.
    event ReleaseDeadlineChanged(uint64 previousSeconds, uint64 deadlineSeconds);
    /// @notice Governance changed how long after the release deadline a registrar may release a
    /// paid-off lien instead of its holder.
    /// @param previousSeconds The grace period before.
    /// @param graceSeconds The grace period now.
    event ReleaseGraceChanged(uint64 previousSeconds, uint64 graceSeconds);
    /// @notice A senior lienholder's consent was used to grant a junior lien.
    /// @param digest The consent's EIP-712 digest.
    /// @param signer The senior lienholder who signed it.
    /// @param lienId The lien it was used for.
    event ConsentUsed(bytes32 indexed digest, address indexed signer, uint256 indexed lienId);
    /// @notice An oracle posted a valuation of a title.
    /// @param tokenId The title.
    /// @param oracle The oracle.
    /// @param value The value, in minor units.
    /// @param currency The ISO 4217 code of its currency.
    /// @param valuedAt When the appraisal was made (unix time).
    /// @param docCid The CID of the sealed appraisal document.
    event ValuationSet(
        uint256 indexed tokenId, address indexed oracle, uint256 value, bytes3 currency, uint64 valuedAt, string docCid
    );
    /// @notice A title's liens crossed the loan-to-value threshold: it takes no new lien until it recovers.
    /// @param tokenId The title.
    /// @param ltvBps Its loan-to-value, in basis points.
    /// @param thresholdBps The threshold, in basis points.
    event LtvAlert(uint256 indexed tokenId, uint256 ltvBps, uint256 thresholdBps);
    /// @notice A frozen title's loan-to-value is back within the threshold: it takes liens again.
    /// @param tokenId The title.
    /// @param ltvBps Its loan-to-value, in basis points.
    /// @param thresholdBps The threshold, in basis points.
    event LtvRecovered(uint256 indexed tokenId, uint256 ltvBps, uint256 thresholdBps);
    /// @notice Governance changed the loan-to-value threshold.
    /// @param previousBps The threshold before, in basis points.
    /// @param thresholdBps The threshold now, in basis points.
    event LtvThresholdChanged(uint256 previousBps, uint256 thresholdBps);
    /// @notice Governance changed how long a valuation counts.
    /// @param previousSeconds The window before.
    /// @param windowSeconds The window now.
    event StalenessWindowChanged(uint64 previousSeconds, uint64 windowSeconds);

    /// @notice The role of registrars, who register titles, record transfers, odometer readings and
    /// brands, and change statuses:
    /// `keccak256("REGISTRAR_ROLE")`.
    /// @return The role's identifier for {AccessControl}.
    function REGISTRAR_ROLE() external view returns (bytes32);

    /// @notice The role of lenders, who take liens on titles: `keccak256("LENDER_ROLE")`.
    /// @return The role's identifier for {AccessControl}.
    function LENDER_ROLE() external view returns (bytes32);

    /// @notice The role of oracles, who post valuations: `keccak256("ORACLE_ROLE")`.
    /// @return The role's identifier for {AccessControl}.
    function ORACLE_ROLE() external view returns (bytes32);

    /// @notice The role of auditors: `keccak256("AUDITOR_ROLE")`. Loan documents and private
    /// liens' amounts are sealed off chain for the accounts that hold it; it acknowledges private
    /// liens ({acknowledgeLien}).
    /// @return The role's identifier for {AccessControl}.
    function AUDITOR_ROLE() external view returns (bytes32);

    /// @notice Registers a new title and mints its token to `owner`. REGISTRAR only.
    /// @param vin The normalized VIN: 17 upper-case characters, no I, O or Q.
    /// @param owner The first owner of the title.
    /// @param docCid The CID of the sealed title document.
    /// @return tokenId The title's token id, `uint256(keccak256(bytes(vin)))`.
    function registerTitle(string calldata vin, address owner, string calldata docCid)
        external
        returns (uint256 tokenId);

    /// @notice Records the transfer of a title to a new owner, with the odometer reading at the
    /// transfer. REGISTRAR only, with the owner's authorization of this transfer or a second
    /// registrar's (EIP-712 `TransferAuthorization`: title, from, to, nonce, deadline): no one
    /// registrar's key moves a title. Refused while any lien is active or the title is not
    /// active, and for a reading below the last one ({RegistryOdometerRollback}) unless the title
    /// is branded {Brand-OdometerNotActual}. Brands stay with the title.
    /// @param tokenId The title.
    /// @param to The new owner.
    /// @param odometerKm The odometer reading, in kilometres (emits {OdometerRecorded}).
    /// @param docCid The CID of the sealed transfer document, which becomes the title's document.
    /// @param authorization The owner's or a second registrar's authorization.
    function transferTitle(
        uint256 tokenId,
        address to,
        uint32 odometerKm,
        string calldata docCid,
        Authorization calldata authorization
    ) external;

    /// @notice Moves a title for the registry's lifecycle module, which runs on the registry's
    /// storage but cannot reach ERC-721's internals (a disposition's sale to its buyer): only the
    /// registry itself may call it; anyone else gets `RegistryDirectTransferDisabled`.
    /// @param tokenId The title.
    /// @param to Its new owner.
    function lifecycleTransfer(uint256 tokenId, address to) external;

    /// @notice Changes a title's status (stolen, or back to active): a REGISTRAR, or
    /// governance. Cancelling a title, which can never be undone, takes a member vote: no one
    /// registrar's key can end a title its owner and lienholders rely on.
    /// @param tokenId The title.
    /// @param status The new status; a cancelled title never changes again.
    /// @param docCid The CID of the sealed document of the change.
    function setTitleStatus(uint256 tokenId, TitleStatus status, string calldata docCid) external;

    /// @notice Grants the caller a lien on an active title. LENDER only. If the title already has
    /// active liens, `consents` must hold a consent signed by each of their holders (other than the
    /// caller) for exactly this title, lender, amount and currency, and nothing else: a consent
    /// from anyone but those holders is refused with {RegistryConsentUnexpected}. Every lien needs
    /// `authorization`: the title owner's EIP-712 `LienAuthorization` of exactly these terms
    /// (commitment zero), or, under {AuthorizationPolicy-OwnerOrRegistrar}, a registrar's other
    /// than the caller.
    /// @param tokenId The title.
    /// @param amount The amount secured, in minor units of `currency`.
    /// @param currency The ISO 4217 code of the amount's currency, e.g. "EUR".
    /// @param maturity The unix time at which the loan matures.
    /// @param docCid The CID of the sealed loan document.
    /// @param consents The senior lienholders' consents.
    /// @param authorization The owner's or a registrar's authorization of the lien.
    /// @return lienId The new lien's id.
    function grantLien(
        uint256 tokenId,
        uint256 amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid,
        Consent[] calldata consents,
        Authorization calldata authorization
    ) external returns (uint256 lienId);


    /// @notice Posts the caller's valuation of a title (ORACLE_ROLE), then re-evaluates its
    /// loan-to-value: crossing the threshold emits {LtvAlert} and freezes the title, coming back
    /// within it emits {LtvRecovered}. A title's valuations and active liens share one currency.
    /// @param tokenId The title.
    /// @param value The vehicle's value, in minor units of `currency`.
    /// @param currency ISO 4217 code.
    /// @param valuedAt When the appraisal was made: not in the future, not before the caller's previous one.
    /// @param docCid The CID of the sealed appraisal document.
    function setValuation(uint256 tokenId, uint256 value, bytes3 currency, uint64 valuedAt, string calldata docCid)
        external;



    /// @notice Grants the caller (LENDER) a private lien: only the amount's commitment goes on
    /// chain. The title must have no active lien and a fresh valuation; both proofs in `amount`
    /// must verify for this chain, this registry and the subject `abi.encodePacked("grant:",
    /// tokenId, msg.sender)`, the loan-to-value one against the title's value and threshold now.
    /// @param tokenId The title.
    /// @param amount The amount's commitment and its range and loan-to-value proofs.
    /// @param currency ISO 4217 code, e.g. "USD".
    /// @param maturity Unix time at which the loan matures.
    /// @param docCid The CID of the lien's sealed document, which carries the opening.
    /// @param authorization The owner's or a registrar's authorization of the lien, as for
    /// {grantLien} with amount 0 and `commitment` = keccak256(abi.encode(x, y)) of the commitment.
    /// @return lienId The new lien's id; its `Lien.amount` is 0.
    function grantPrivateLien(
        uint256 tokenId,
        PrivateAmount calldata amount,
        bytes3 currency,
        uint64 maturity,
        string calldata docCid,
        Authorization calldata authorization
    ) external returns (uint256 lienId);

    /// @notice Acknowledges, as an AUDITOR, that the caller opened a private lien's amount from its
    /// sealed document and found it opens the commitment: the check that the lender sealed it for
    /// the auditors. A private lien not acknowledged within the proof window after its grant
    /// stops its title from taking new liens ({RegistryLienUnacknowledged}) until an auditor does.
    /// @param lienId The private lien, active and not yet acknowledged.
    function acknowledgeLien(uint256 lienId) external;

    /// @notice Proves a private lien's amount within what the threshold allows now (the title's
    /// value's threshold less its public liens) less `reserve`, for the subject
    /// `abi.encodePacked("lien:", lienId, uint256(proofNonce(lienId)))`: each proof counts once, so
    /// no earlier proof sent again can undo a reserve. The lien then counts at that limit, so
    /// `reserve` is room left for new (junior, public) liens. Anyone may submit the proof; only the
    /// opening's holders can make it.
    /// @param lienId The private lien.
    /// @param reserve Minor units of the allowed limit left for other liens.
    /// @param ltvProof The loan-to-value proof (see {IZkVerifier-verifyLtv}), deduction = public liens + reserve.
    function proveLien(uint256 lienId, uint256 reserve, bytes calldata ltvProof) external;

    /// @notice Reveals a private lien's amount, checked against its commitment ({IZkVerifier-opens}):
    /// from then on the lien is public, counts at its amount, and owes no proof. Its holder may
    /// reveal it at any time; an AUDITOR (who can open the amount sealed for it) once its proof is
    /// overdue, the consequence of not proving — but only while the title's value counts (so a
    /// proof could be made) and a whole proof window after a write (`LienProofDue`, or
    /// {reviewTitle} for a proof due by time alone) found it due, so the lender always had a
    /// window in which it could prove. The title, which took no new lien while the proof was
    /// overdue, then follows the public loan-to-value rules (frozen if the amount is over).
    /// @param lienId The private lien, active.
    /// @param amount Its amount, in minor units.
    /// @param blinding The commitment's blinding factor.
    function revealLien(uint256 lienId, uint256 amount, uint256 blinding) external;


    /// @notice The title's active private lien and its proof state.
    /// @param tokenId The title.
    /// @return The state; `lienId` is 0 if the title has no active private lien.
    function privateLien(uint256 tokenId) external view returns (PrivateLien memory);

    /// @notice A private lien's amount commitment (released or not).
    /// @param lienId The lien; reverts with {RegistryLienNotPrivate} for a public one.
    /// @return The commitment's affine coordinates (x, y) on BN254.
    function lienCommitment(uint256 lienId) external view returns (uint256[2] memory);

    /// @notice The nonce the next proof of a private lien must be made for (`proveLien` binds its
    /// proof to "lien:", the lien id and this number, then counts it up).
    /// @param lienId The lien.
    /// @return The nonce: how many times the lien was proved since its grant.
    function proofNonce(uint256 lienId) external view returns (uint64);

    /// @notice The zero-knowledge verifier the registry checks private liens with.
    function verifier() external view returns (address);

    /// @notice A title's value, loan-to-value and frozen state now.
    /// @param tokenId The title.
    /// @return The appraisal (all zero but the threshold for a title never valued).
    function appraisal(uint256 tokenId) external view returns (Appraisal memory);

    /// @notice The loan-to-value threshold.
    /// @return Basis points (7000 = 70%).
    function ltvThreshold() external view returns (uint256);

    /// @notice How long a valuation counts toward a title's value.
    /// @return Seconds.
    function stalenessWindow() external view returns (uint64);

    /// @notice How long a private lienholder has to prove its lien again, in seconds.
    function proofWindow() external view returns (uint64);

    /// @notice How long after its maturity a lien lapses.
    /// @return Seconds.
    function lapseGrace() external view returns (uint64);

    /// @notice Who, besides a title's owner, may authorize a new lien.
    function authorizationPolicy() external view returns (AuthorizationPolicy);

    /// @notice How many fresh valuations of current oracles a title's value needs.
    function minValuations() external view returns (uint8);


    /// @notice Releases a lien. Only its lienholder may.
    /// @param lienId The lien.
    function releaseLien(uint256 lienId) external;

    /// @notice Marks a lien lapsed once its maturity and the lapse grace period after it have
    /// passed (chain time). Anyone may: a revoked or vanished lender's lien ends all the same.
    /// @param lienId The lien, active.
    function markLapsed(uint256 lienId) external;

    /// @notice Releases a lien on governance's decision, with the CID of its evidence (governance only).
    /// @param lienId The lien, active.
    /// @param evidenceCid The CID of the sealed evidence document: a court order, a proof of payoff.
    function forceReleaseLien(uint256 lienId, string calldata evidenceCid) external;


    /// @notice Returns a registered title with its owner and number of active liens.
    /// @param tokenId The title.
    /// @return The title record.
    /// @return owner The title's current owner.
    /// @return activeLiens The number of active liens on the title.
    function title(uint256 tokenId) external view returns (Title memory, address owner, uint256 activeLiens);

    /// @notice Returns a lien.
    /// @param lienId The lien.
    /// @return The lien record.
    function lien(uint256 lienId) external view returns (Lien memory);

    /// @notice Returns the ids of every lien ever granted on a title, in priority order.
    /// @param tokenId The title.
    /// @return The lien ids.
    function liensOf(uint256 tokenId) external view returns (uint256[] memory);

    /// @notice Returns how many liens were ever granted, which is also the highest lien id.
    /// @return The number of liens.
    function lienCount() external view returns (uint256);

    /// @notice Returns whether a consent's or an authorization's digest was already used.
    /// @param digest Its EIP-712 digest.
    /// @return True once it has been used.
    function consentUsed(bytes32 digest) external view returns (bool);
}
