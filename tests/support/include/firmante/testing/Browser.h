#pragma once

// What tests that play the browser or the portal say, in one place.

namespace firmante::testing {

/// An extension id of the shape Chromium derives from an extension's key (32 letters a–p).
inline constexpr const char* kExtensionId = "afhfgighjolakkaojlpbnjliophojapc";
/// The origin of that extension's own pages (its popup), as the relay reports it.
inline constexpr const char* kExtensionOrigin =
    "chrome-extension://afhfgighjolakkaojlpbnjliophojapc";
/// What Chromium passes a native messaging host as its caller: the origin and a final '/'.
inline constexpr const char* kExtensionCaller =
    "chrome-extension://afhfgighjolakkaojlpbnjliophojapc/";
/// The reference portal's origin as the tests run it.
inline constexpr const char* kPortalOrigin = "http://127.0.0.1:8080";

}  // namespace firmante::testing
