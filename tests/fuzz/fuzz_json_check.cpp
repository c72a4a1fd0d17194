// Fuzz target: the harness's own JSON check (json_check.hpp) against nlohmann::json::accept on
// arbitrary bytes. `pipeline` and `repo` trust JsonCheck to say whether a report is JSON; this keeps
// its verdicts those of the parser it replaced. Built with VRAM_FUZZ_NO_COVERAGE empty (CMakeLists.txt),
// so that libFuzzer sees JsonCheck's branches here. The one accepted difference: nlohmann reads a NUL
// byte between tokens as the end of the input; JsonCheck (like JSON.parse) refuses such text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "json_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const bool ours = fuzz::json_valid(input);
    const bool theirs = nlohmann::json::accept(input);
    if (ours && !theirs) __builtin_trap();  // the check would let a broken report through
    if (!ours && theirs && input.find('\0') == std::string_view::npos) __builtin_trap();
    return 0;
}
