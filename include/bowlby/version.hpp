// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
#pragma once

/// Library version, kept in step with project(VERSION) in CMakeLists.txt.
#define BOWLBY_VERSION_MAJOR 0
#define BOWLBY_VERSION_MINOR 1
#define BOWLBY_VERSION_PATCH 0

namespace bowlby {
inline constexpr int version_major = BOWLBY_VERSION_MAJOR;
inline constexpr int version_minor = BOWLBY_VERSION_MINOR;
inline constexpr int version_patch = BOWLBY_VERSION_PATCH;
inline constexpr const char* version_string = "0.1.0";
}  // namespace bowlby
