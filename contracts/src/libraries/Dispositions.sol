// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ITitleLifecycle} from "../interfaces/ITitleLifecycle.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {RegistryStorage} from "./RegistryStorage.sol";
import {Titles} from "./Titles.sol";

/// @title Dispositions
/// @notice The sale of a repossessed title by the holder of its lien in default: its checks, its
/// authorization, its waterfall, and the end of a repossession.
/// @dev An external library of {TitleRegistry}'s lifecycle module (see {TitleLifecycle}), as
/// {Titles} is of the registry: storage arguments are the registry's, `msg.sender` is the
/// registry's caller, events are logged by the registry. It calls no other library (a library's
/// own links are not deployed): the module makes the {Titles} calls a sale needs.
library Dispositions {
    /// @dev The EIP-712 type the owner or a registrar signs to authorize a disposition: one default
    /// (its lien and date), one buyer, one price.
    bytes32 private constant _SALE_TYPEHASH = keccak256(
        "SaleAuthorization(uint256 tokenId,uint256 lienId,uint64 defaultedAt,address buyer,uint256 price,"
        "uint256 nonce,uint64 deadline)"
    );
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @dev The bound of amounts and prices (see `Titles`).
    uint256 private constant _AMOUNT_LIMIT = 2 ** 40;

    /// @notice The lien in default of a repossessed title the caller may dispose of now, to
    /// `buyer` at `price`.
    function check(
        RegistryStorage.Layout storage $,
        Titles.State storage t,
        uint256 tokenId,
        address buyer,
        uint256 price
    ) external view returns (uint256 lienId) {
        if (t.title.status != ITitleRegistry.TitleStatus.Repossessed) revert ITitleLifecycle.RegistryNotRepossessed(tokenId);
        lienId = t.enforcingLienId;
        Titles.LienState storage l = $.liens[lienId - 1];
        if (l.lien.lender != msg.sender) revert ITitleRegistry.RegistryNotLienholder(lienId, msg.sender, l.lien.lender);
        if (block.timestamp < t.noticeEndsAt) revert ITitleLifecycle.RegistryNoticePeriodRunning(tokenId, t.noticeEndsAt);
        // A payoff on record stands until its holder disputes it: no sale of a redeemed title.
        if (l.payoff.at != 0) revert ITitleLifecycle.RegistryPayoffRecorded(lienId, l.payoff.at);
        if (buyer == address(0) || buyer == IERC721(address(this)).ownerOf(tokenId)) {
            revert ITitleRegistry.RegistryInvalidOwner(buyer);
        }
        if (price == 0 || price >= _AMOUNT_LIMIT) revert ITitleLifecycle.RegistryInvalidPrice(price);
    }

    /// @notice Checks and spends the authorization of a sale: an EIP-712 `SaleAuthorization` of exactly
    /// this default (its lien and date), buyer and price, signed by the title's owner (a surrender)
    /// or by a registrar other than the sender (who checked the repossession): no lienholder sells a
    /// title on its key alone, and no transfer's authorization passes for a sale's.
    function authorizeSale(
        RegistryStorage.Layout storage $,
        Titles.State storage t,
        uint256 tokenId,
        uint256 lienId,
        address buyer,
        uint256 price,
        ITitleRegistry.Authorization calldata authorization
    ) external {
        if (authorization.deadline < block.timestamp) {
            revert ITitleRegistry.RegistryAuthorizationExpired(authorization.deadline);
        }
        bytes32 digest = _digest(keccak256(abi.encode(
            _SALE_TYPEHASH, tokenId, lienId, t.defaultedAt, buyer, price, authorization.nonce, authorization.deadline
        )));
        if ($.consentUsed[digest]) revert ITitleRegistry.RegistryAuthorizationUsed(digest);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, authorization.signature);
        if (err != ECDSA.RecoverError.NoError) revert ITitleRegistry.RegistryAuthorizationInvalid();
        bool owner = signer == IERC721(address(this)).ownerOf(tokenId);
        if (!owner && (signer == msg.sender || !IAccessControl(address(this)).hasRole(_REGISTRAR_ROLE, signer))) {
            revert ITitleRegistry.RegistryNotAuthorized(tokenId, signer);
        }
        $.consentUsed[digest] = true;
        emit ITitleRegistry.AuthorizationUsed(digest, signer, tokenId);
    }

    /// @notice Pays the lien in default and its juniors from `price` by priority, discharges them,
    /// and moves the title to `buyer`, active (the caller checked and authorized the sale).
    /// @param $ The registry's state.
    /// @param t The title.
    /// @param tokenId Its token id.
    /// @param lienId The lien in default.
    /// @param buyer The buyer.
    /// @param price The price.
    /// @param docCid The CID of the sealed bill of sale.
    function settle(
        RegistryStorage.Layout storage $,
        Titles.State storage t,
        uint256 tokenId,
        uint256 lienId,
        address buyer,
        uint256 price,
        string calldata docCid
    ) external {
        uint256 surplus = _payWaterfall($, t, lienId, price);
        _dispose(t, tokenId, lienId, buyer, price, surplus, docCid);
    }

    function withdraw(Titles.State storage t, uint256 tokenId, uint256 lienId, string calldata docCid) external {
        _endRepossession(t);
        emit ITitleRegistry.TitleStatusChanged(
            tokenId, ITitleRegistry.TitleStatus.Repossessed, ITitleRegistry.TitleStatus.Active, docCid
        );
        emit ITitleLifecycle.LienDefaultWithdrawn(lienId, tokenId, msg.sender, docCid);
        emit IERC4906.MetadataUpdate(tokenId);
    }

    // --- state changes: one function each, its event right after the write -------------------

    /// @dev Pays the lien in default and each junior one from `price`, seniors first, each up to
    /// its amount, and discharges them: they are the tail of the title's active liens from the one
    /// in default (a private lien is always the first, so none of its juniors is private). Returns
    /// what is left: the owner's surplus.
    function _payWaterfall(RegistryStorage.Layout storage $, Titles.State storage t, uint256 lienId, uint256 price)
        private
        returns (uint256 remaining)
    {
        uint256[] storage active = t.activeLienIds;
        uint256 first = 0;
        while (active[first] != lienId) first++;
        remaining = price;
        for (uint256 i = first; i < active.length; i++) {
            uint256 id = active[i];
            Titles.LienState storage x = $.liens[id - 1];
            // A junior whose payoff is on record (undisputed) was paid: the price owes it nothing.
            uint256 owed = x.payoff.at != 0 ? 0 : x.lien.amount;
            uint256 recovered = remaining < owed ? remaining : owed;
            remaining -= recovered;
            _discharge(t, x, id, recovered, owed - recovered);
        }
        while (active.length > first) active.pop();
    }

    function _discharge(
        Titles.State storage t,
        Titles.LienState storage l,
        uint256 lienId,
        uint256 recovered,
        uint256 deficiency
    ) private {
        ITitleRegistry.Lien storage x = l.lien;
        x.status = ITitleRegistry.LienStatus.Discharged;
        l.recovered = recovered;
        l.endedAt = uint64(block.timestamp);
        t.secured -= x.amount;
        emit ITitleLifecycle.LienDischarged(lienId, x.tokenId, x.lender, recovered, deficiency);
    }

    function _endRepossession(Titles.State storage t) private {
        delete t.enforcingLienId;
        delete t.defaultedAt;
        delete t.noticeEndsAt;
        t.title.status = ITitleRegistry.TitleStatus.Active;
    }

    function _dispose(
        Titles.State storage t,
        uint256 tokenId,
        uint256 lienId,
        address buyer,
        uint256 price,
        uint256 surplus,
        string calldata docCid
    ) private {
        address from = IERC721(address(this)).ownerOf(tokenId);
        _endRepossession(t);
        t.title.docCid = docCid;
        ITitleRegistry(address(this)).lifecycleTransfer(tokenId, buyer);
        emit ITitleRegistry.TitleStatusChanged(
            tokenId, ITitleRegistry.TitleStatus.Repossessed, ITitleRegistry.TitleStatus.Active, docCid
        );
        emit ITitleRegistry.TitleTransferred(tokenId, from, buyer, docCid);
        emit ITitleLifecycle.TitleDisposed(tokenId, lienId, from, buyer, price, surplus, docCid);
        emit IERC4906.MetadataUpdate(tokenId);
    }

    /// @dev The registry's EIP-712 digest of a struct hash (run by the registry, `address(this)`
    /// is the registry).
    function _digest(bytes32 structHash) private view returns (bytes32) {
        bytes32 domain = keccak256(abi.encode(
            _DOMAIN_TYPEHASH, keccak256("lienchain TitleRegistry"), keccak256("1"), block.chainid, address(this)
        ));
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }
}
