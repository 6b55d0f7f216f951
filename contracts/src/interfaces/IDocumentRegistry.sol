// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The retention of the documents the registry anchors, their erasure and the access trail
/// @notice Every document a step of the registry anchors (by its CID) is recorded here with its
/// retention class and what it is about: a title (its owner of the time) or a lien. A document is
/// kept for its class's period after that business ends (the lien released, lapsed or discharged
/// by a sale; the title transferred, sold or cancelled); the periods are set by member vote. Once a
/// document's period has run out anyone may record its erasure; each member's node then destroys
/// what it holds of the document (the content key, its copy) and attests it here.
///
/// A transient document's content key is held by its author's member in a key service, which
/// asks {readStatus} before it hands the key to a reader and logs every request in a hash-chained
/// log whose head the member anchors here ({anchorAccessLog}), so that an auditor can check that
/// an excerpt of the log is the log the member committed to.
interface IDocumentRegistry {
    /// @notice How long a document is kept after its business ends.
    enum Retention {
        /// @dev Records the loan needs for years: title and loan documents, repayments.
        Essential,
        /// @dev Working papers kept for about 90 days: appraisals, photos, other attachments.
        Transient
    }

    /// @notice Whether a reader may have a document's content key now (see {readStatus}).
    enum ReadStatus {
        Entitled,
        /// @dev No document with this CID is recorded.
        NotRecorded,
        /// @dev The document was erased.
        Erased,
        /// @dev The reader holds no role entitled to this document.
        NotEntitled
    }

    /// @notice A recorded document.
    struct Document {
        Retention retention;
        /// @dev Who recorded it: the account whose step anchored it, or that attached it.
        address author;
        uint64 recordedAt;
        /// @dev When its erasure was recorded; 0 while it is kept.
        uint64 erasedAt;
        /// @dev The title it is about, and the lien (0 for a document about the title).
        uint256 tokenId;
        uint256 lienId;
        /// @dev For a document about the title: how many holdings of the title had ended when it
        /// was recorded (its business ends with the next transfer, or the title's cancellation).
        uint256 holdingsEnded;
    }

    /// @notice A document to record.
    struct DocumentInput {
        string cid;
        Retention retention;
        uint256 tokenId;
        uint256 lienId;
    }

    /// @notice The caller holds no role of the registry.
    /// @param account The caller.
    error DocumentsNotMember(address account);
    /// @notice The caller is not a member of governance (a member's key service anchors and attests).
    /// @param account The caller.
    error DocumentsNotGovernanceMember(address account);
    /// @notice Only the governance contract, after a member vote, changes the settings.
    /// @param account The caller.
    error DocumentsOnlyGovernance(address account);
    /// @notice A document with this CID is already recorded: each CID is recorded once (a wrong
    /// record is corrected by member vote, see {correctDocument}).
    /// @param cid The CID.
    /// @param author Who recorded it.
    error DocumentsAlreadyRecorded(string cid, address author);
    /// @notice Only a document's author records it: the account whose registry step anchored it
    /// first; for a document no step anchored, the holder of the lien it is about or a REGISTRAR, and
    /// for a title a REGISTRAR, ORACLE or AUDITOR.
    /// @param cid The CID.
    /// @param author The account that anchored it; the zero address if no step did.
    error DocumentsNotAuthor(string cid, address author);
    /// @notice A document a step anchored is recorded about that step's title and lien, no other.
    /// @param cid The CID.
    /// @param tokenId The step's title.
    /// @param lienId The step's lien; 0 for a step about the title.
    error DocumentsNotStepSubject(string cid, uint256 tokenId, uint256 lienId);
    /// @notice No document with this CID is recorded.
    /// @param cid The CID.
    error DocumentsNotRecorded(string cid);
    /// @notice A CID is empty or longer than 100 bytes, or a batch is empty or too long.
    error DocumentsInvalidInput();
    /// @notice The title does not exist, or the lien is not a lien on it.
    /// @param tokenId The title.
    /// @param lienId The lien (0 for none).
    error DocumentsInvalidSubject(uint256 tokenId, uint256 lienId);
    /// @notice A document no step anchored (an attachment) is about a business that goes on: the
    /// lien ended, or the title was cancelled, so it would be due at once.
    /// @param cid The CID.
    /// @param endedAt When the business ended.
    error DocumentsBusinessEnded(string cid, uint64 endedAt);
    /// @notice The document's business has not ended yet: its retention has not started.
    /// @param cid The CID.
    error DocumentsBusinessOngoing(string cid);
    /// @notice The document's retention period has not run out.
    /// @param cid The CID.
    /// @param dueAt When it runs out (unix time).
    error DocumentsNotDue(string cid, uint64 dueAt);
    /// @notice The document's erasure is already recorded.
    /// @param cid The CID.
    /// @param erasedAt When.
    error DocumentsAlreadyErased(string cid, uint64 erasedAt);
    /// @notice A member attests only the erasure of a document that was erased.
    /// @param cid The CID.
    error DocumentsNotErased(string cid);
    /// @notice The member already attested this erasure.
    /// @param cid The CID.
    /// @param member The member.
    error DocumentsAlreadyAttested(string cid, address member);
    /// @notice A retention period or the access-log interval is out of range.
    /// @param value The value given (seconds).
    error DocumentsInvalidPeriod(uint64 value);
    /// @notice An access log's anchored head must cover more entries than the one before.
    /// @param count The entries the new head covers.
    /// @param anchored The entries the last anchored head covers.
    error DocumentsLogNotAdvanced(uint64 count, uint64 anchored);

    /// @notice A document was recorded.
    /// @param cidHash keccak256 of the CID, to find a CID's events.
    /// @param tokenId The title it is about.
    /// @param author Who recorded it.
    /// @param lienId The lien it is about (0: the title).
    /// @param retention Its class.
    /// @param cid The CID.
    event DocumentRecorded(
        bytes32 indexed cidHash,
        uint256 indexed tokenId,
        address indexed author,
        uint256 lienId,
        Retention retention,
        string cid
    );
    /// @notice A document's erasure was recorded: no member may keep it or its key from now on.
    /// @param cidHash keccak256 of the CID.
    /// @param tokenId The title it is about.
    /// @param by Who recorded the erasure.
    /// @param retention Its class.
    /// @param businessEndedAt When its business ended.
    /// @param dueAt When its retention ran out.
    /// @param cid The CID.
    event DocumentErased(
        bytes32 indexed cidHash,
        uint256 indexed tokenId,
        address indexed by,
        Retention retention,
        uint64 businessEndedAt,
        uint64 dueAt,
        string cid
    );
    /// @notice A member attested that its node holds neither the document nor its key any more.
    /// @param cidHash keccak256 of the CID.
    /// @param member The member.
    /// @param cid The CID.
    event ErasureAttested(bytes32 indexed cidHash, address indexed member, string cid);
    /// @notice A member anchored the head of its key service's access log.
    /// @param custodian The member.
    /// @param count How many entries the head covers.
    /// @param head The hash chain's head after them.
    event AccessLogAnchored(address indexed custodian, uint64 count, bytes32 head);
    /// @notice A member vote corrected a document's record (its class or subject), before its erasure.
    /// @param cidHash keccak256 of the CID.
    /// @param tokenId The title it is about now.
    /// @param lienId The lien it is about now (0: the title).
    /// @param retention Its class now.
    /// @param cid The CID.
    event DocumentCorrected(
        bytes32 indexed cidHash, uint256 indexed tokenId, uint256 lienId, Retention retention, string cid
    );
    /// @notice A member vote set a retention period.
    /// @param retention The class.
    /// @param period Seconds kept after the business ends.
    event RetentionPeriodSet(Retention retention, uint64 period);
    /// @notice A member vote set how often key services anchor their access logs.
    /// @param interval Seconds.
    event AccessLogIntervalSet(uint64 interval);

    /// @notice Records documents the caller's steps anchored, each once and about its step's
    /// subject, or documents it attaches about a business that goes on (see {DocumentsNotAuthor},
    /// {DocumentsNotStepSubject}, {DocumentsBusinessEnded}). The caller holds a role of the registry.
    /// @param documents At most 100: each a CID (1 to 100 bytes), its class and its subject.
    function record(DocumentInput[] calldata documents) external;

    /// @notice Records the erasure of a document whose retention has run out; anyone may.
    /// @param cid The CID.
    function erase(string calldata cid) external;

    /// @notice Attests, for the calling member, that its node holds neither these erased documents
    /// nor their keys any more.
    /// @param cids At most 100 erased documents the member has not attested yet.
    function attestErasures(string[] calldata cids) external;

    /// @notice Anchors the head of the calling member's access log.
    /// @param count The number of entries it covers: more than the last anchored head's.
    /// @param head The hash chain's head after `count` entries.
    function anchorAccessLog(uint64 count, bytes32 head) external;

    /// @notice Corrects a document's class and subject, recorded wrongly (each CID is recorded once,
    /// by whoever records it first): governance only, and only before its erasure. Its author stays,
    /// but for a document a step anchored, whose author becomes that step's sender again (another
    /// account may have recorded it first, while the step waited in the pool).
    /// @param document The CID, recorded, with its right class and subject.
    function correctDocument(DocumentInput calldata document) external;

    /// @notice Sets the retention period of a class. Governance only (a member vote).
    /// @param retention The class.
    /// @param period Seconds, from 1 to 100 years.
    function setRetentionPeriod(Retention retention, uint64 period) external;

    /// @notice Sets how often key services anchor their access logs. Governance only.
    /// @param interval Seconds, from 1 to 30 days.
    function setAccessLogInterval(uint64 interval) external;

    /// @notice A recorded document.
    /// @param cid The CID.
    /// @return The document (all zero if not recorded: `recordedAt` is then 0).
    function document(string calldata cid) external view returns (Document memory);

    /// @notice When a document's business ended and its retention runs out.
    /// @param cid The CID, recorded.
    /// @return businessEndedAt When its business ended; 0 while it goes on.
    /// @return dueAt When its retention runs out under the period of now; 0 while it goes on.
    function retention(string calldata cid) external view returns (uint64 businessEndedAt, uint64 dueAt);

    /// @notice Whether a reader may have a document's content key now: the document is recorded
    /// and not erased, and the reader is its author, an AUDITOR, for a document about a lien the
    /// lien's current holder, and for a document about a title a REGISTRAR.
    /// @param cid The CID.
    /// @param reader The reader's account.
    function readStatus(string calldata cid, address reader) external view returns (ReadStatus);

    /// @notice Whether an account holds a role of the registry (REGISTRAR, LENDER, ORACLE or AUDITOR):
    /// a key service serves, and logs, requests of such accounts only.
    function holdsRole(address account) external view returns (bool);

    /// @notice Whether a member attested a document's erasure.
    function attested(string calldata cid, address member) external view returns (bool);

    /// @notice The head a member anchored for its access log's first `count` entries.
    /// @return The head; zero if the member anchored none at that count.
    function anchoredHead(address custodian, uint64 count) external view returns (bytes32);

    /// @notice A member's last anchored access-log head.
    /// @return count The entries it covers.
    /// @return head The head.
    /// @return at When it was anchored.
    function lastAnchor(address custodian) external view returns (uint64 count, bytes32 head, uint64 at);

    /// @notice A class's retention period in seconds.
    function retentionPeriod(Retention retention) external view returns (uint64);

    /// @notice How often key services anchor their access logs, in seconds.
    function accessLogInterval() external view returns (uint64);

    /// @notice The registry whose documents these are.
    function registry() external view returns (address);
}
