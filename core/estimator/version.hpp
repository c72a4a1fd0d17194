// The version of hf-vram-estimator: package.json's "version", passed by the build as VRAM_VERSION
// (cmake/version.cmake). Shown by the CLI's --version, the page and the embed, and written into
// the JSON report as tool_version.
#pragma once

#ifndef VRAM_VERSION
#error "VRAM_VERSION is not defined: build with CMake, which reads it from package.json (cmake/version.cmake)"
#endif

namespace vram {

inline constexpr const char* kToolVersion = VRAM_VERSION;

}  // namespace vram
