# The project's one version number is package.json's "version": this sets VRAM_VERSION from it and
# configures again when package.json changes. The core gets it as the VRAM_VERSION compile
# definition (core/estimator/version.hpp): the CLI's --version, the JSON report's tool_version, the
# page and the embed; scripts/lib/pack.mjs gives it to the npm package.
# Included by CMakeLists.txt and tests/fuzz/CMakeLists.txt.
file(READ "${CMAKE_CURRENT_LIST_DIR}/../package.json" _vram_package_json)
string(JSON VRAM_VERSION ERROR_VARIABLE _vram_version_error GET "${_vram_package_json}" version)
if(_vram_version_error OR NOT VRAM_VERSION MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$")
  message(FATAL_ERROR "package.json: \"version\" must be a semantic version such as 1.2.3 (${_vram_version_error}${VRAM_VERSION})")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/../package.json")
