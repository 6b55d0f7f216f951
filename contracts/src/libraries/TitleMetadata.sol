// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";

/// @title TitleMetadata
/// @notice The ERC-721 metadata of a title as wallets read it: a `data:` URI of JSON, built on
/// chain from the registry's state, so that it is never out of date nor hosted anywhere.
/// @dev An external library linked into {TitleRegistry}: its string building stays out of the
/// registry's code size. Every string it writes is the registry's own (a VIN's 17 characters of
/// 0-9 and A-Z, fixed labels), so none needs JSON escaping.
library TitleMetadata {
    /// @notice The token URI of a title.
    /// @param title The title's record (the registry's storage).
    /// @param activeLiens How many active liens it carries.
    /// @param a Its appraisal now.
    /// @return The URI: `data:application/json;base64,` and the JSON.
    function tokenURI(ITitleRegistry.Title storage title, uint256 activeLiens, ITitleRegistry.Appraisal memory a)
        external
        view
        returns (string memory)
    {
        string memory vin = title.vin;
        bytes memory head = abi.encodePacked(
            '{"name":"Vehicle title ', vin,
            '","description":"A vehicle title on a lienchain register: its owner and the liens on it. Only a registrar moves it.",',
            '"attributes":[{"trait_type":"VIN","value":"', vin,
            '"},{"trait_type":"Status","value":"', _statusLabel(title.status)
        );
        bytes memory json = abi.encodePacked(
            head,
            '"},{"trait_type":"Brands","value":"', _brandLabels(title.brands),
            '"},{"trait_type":"Active liens","display_type":"number","value":', Strings.toString(activeLiens),
            '},{"trait_type":"Value","value":"', _valueState(a), '"}]}'
        );
        return string.concat("data:application/json;base64,", Base64.encode(json));
    }

    /// @dev As `Appraisal.state` in the Python client: no value counts, and no current oracle
    /// valued the title, fewer than the minimum did, or at least the minimum did but too many of
    /// their valuations aged out; over the threshold; or within it.
    function _valueState(ITitleRegistry.Appraisal memory a) private pure returns (string memory) {
        if (a.value == 0) {
            uint256 current = uint256(a.freshOracles) + a.staleOracles;
            if (a.counted || current >= a.minValuations) return "stale";
            return current == 0 ? "unvalued" : "under-valued";
        }
        return a.frozen ? "frozen" : "healthy";
    }

    function _statusLabel(ITitleRegistry.TitleStatus status) private pure returns (string memory) {
        if (status == ITitleRegistry.TitleStatus.Active) return "active";
        if (status == ITitleRegistry.TitleStatus.Stolen) return "stolen";
        if (status == ITitleRegistry.TitleStatus.Repossessed) return "repossessed";
        return "cancelled";
    }

    /// @dev The brands of a bit mask in {ITitleRegistry-Brand} order, as the Python client names
    /// them (`Brand.label`), separated by ", "; "none" for none.
    function _brandLabels(uint8 brands) private pure returns (bytes memory out) {
        string[5] memory labels = ["SALVAGE", "FLOOD", "REBUILT", "JUNK", "ODOMETER-NOT-ACTUAL"];
        for (uint256 b = 0; b < labels.length; b++) {
            if (uint256(brands) & (uint256(1) << b) == 0) continue;
            out = out.length == 0 ? bytes(labels[b]) : abi.encodePacked(out, ", ", labels[b]);
        }
        if (out.length == 0) out = "none";
    }
}
