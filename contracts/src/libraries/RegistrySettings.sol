// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {ITitleRegistry} from "../interfaces/ITitleRegistry.sol";
import {Titles} from "./Titles.sol";

/// @title RegistrySettings
/// @notice The registry's settings that governance changes by member vote: their ranges, and the
/// event each change emits.
/// @dev An external library of {TitleRegistry}'s lifecycle module (see {TitleLifecycle}), as
/// {Titles} is of the registry: storage arguments are the registry's, events are logged by it.
library RegistrySettings {
    /// @dev The longest window a setting may give (staleness, proof, lapse grace, release deadline
    /// and grace, notice period): ten years, so no date plus a window can overflow.
    uint256 private constant _MAX_WINDOW = 3650 days;

    /// @notice A setting governance changes.
    enum Setting {
        LtvThreshold,
        StalenessWindow,
        ProofWindow,
        LapseGrace,
        AuthorizationPolicy,
        MinValuations,
        ReleaseDeadline,
        ReleaseGrace,
        NoticePeriod
    }

    /// @notice Changes a setting (the caller checked that governance calls), refusing a value
    /// out of its range or equal to the current one (a no-op vote would still reset deadlines
    /// and tell wallets that every title changed).
    /// @param s The registry's settings.
    /// @param which The setting.
    /// @param value Its new value: basis points 1-10000 for the threshold, seconds up to ten years
    /// (not zero but for the lapse grace) for windows, an {ITitleRegistry-AuthorizationPolicy}, a
    /// count 1-16.
    function change(Titles.Settings storage s, Setting which, uint256 value) external {
        uint256 previous;
        uint256 max = _MAX_WINDOW;
        if (which == Setting.LtvThreshold) (previous, max) = (s.ltvThresholdBps, 10_000);
        else if (which == Setting.StalenessWindow) previous = s.stalenessWindow;
        else if (which == Setting.ProofWindow) previous = s.proofWindow;
        else if (which == Setting.LapseGrace) previous = s.lapseGrace;
        else if (which == Setting.AuthorizationPolicy) (previous, max) = (uint256(s.authorizationPolicy), 1);
        else if (which == Setting.MinValuations) (previous, max) = (s.minValuations, Titles.MAX_VALUERS);
        else if (which == Setting.ReleaseDeadline) previous = s.releaseDeadline;
        else if (which == Setting.ReleaseGrace) previous = s.releaseGrace;
        else previous = s.noticePeriod;
        bool zeroAllowed =
            which == Setting.LapseGrace || which == Setting.AuthorizationPolicy || which == Setting.ReleaseGrace;
        if ((value == 0 && !zeroAllowed) || value > max) revert ITitleRegistry.RegistryInvalidSetting(value);
        if (value == previous) revert ITitleRegistry.RegistrySettingUnchanged(value);
        _write(s, which, previous, value);
    }

    // --- state changes: one function each, its event right after the write -------------------

    /// @dev Writes a setting checked by `change` (`value` fits its field: at most `max`).
    function _write(Titles.Settings storage s, Setting which, uint256 previous, uint256 value) private {
        if (which == Setting.LtvThreshold) {
            s.ltvThresholdBps = uint64(value);
            s.thresholdChangedAt = uint64(block.timestamp); // private liens it puts over their proof owe one from now
            emit ITitleRegistry.LtvThresholdChanged(previous, value);
        } else if (which == Setting.StalenessWindow) {
            s.stalenessWindow = uint64(value);
            emit ITitleRegistry.StalenessWindowChanged(uint64(previous), uint64(value));
        } else if (which == Setting.ProofWindow) {
            s.proofWindow = uint64(value);
            emit ITitleRegistry.ProofWindowChanged(uint64(previous), uint64(value));
            return;
        } else if (which == Setting.LapseGrace) {
            s.lapseGrace = uint64(value);
            emit ITitleRegistry.LapseGraceChanged(uint64(previous), uint64(value));
            return;
        } else if (which == Setting.AuthorizationPolicy) {
            s.authorizationPolicy = ITitleRegistry.AuthorizationPolicy(value);
            emit ITitleRegistry.AuthorizationPolicyChanged(
                ITitleRegistry.AuthorizationPolicy(previous), ITitleRegistry.AuthorizationPolicy(value)
            );
            return;
        } else if (which == Setting.ReleaseDeadline) {
            s.releaseDeadline = uint64(value);
            emit ITitleRegistry.ReleaseDeadlineChanged(uint64(previous), uint64(value));
            return;
        } else if (which == Setting.ReleaseGrace) {
            s.releaseGrace = uint64(value);
            emit ITitleRegistry.ReleaseGraceChanged(uint64(previous), uint64(value));
            return;
        } else if (which == Setting.NoticePeriod) {
            s.noticePeriod = uint64(value);
            emit ITitleRegistry.NoticePeriodChanged(uint64(previous), uint64(value));
            return;
        } else {
            s.minValuations = uint8(value);
            emit ITitleRegistry.MinValuationsChanged(uint8(previous), uint8(value));
        }
        // The threshold, the staleness window and the minimum of valuations change every title's
        // value state, which wallets show.
        emit IERC4906.BatchMetadataUpdate(0, type(uint256).max);
    }
}
