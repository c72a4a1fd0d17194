// Embind registration only; the adapters live in api.cpp.
#include <emscripten/bind.h>

#include "wasm/api.hpp"

EMSCRIPTEN_BINDINGS(vram) {
    emscripten::function("loadModel", &vram::wasm::load_model);
    emscripten::function("cancel", &vram::wasm::cancel);
    emscripten::function("loadSnapshot", &vram::wasm::load_snapshot);
    emscripten::function("snapshot", &vram::wasm::snapshot);
    emscripten::function("report", &vram::wasm::report);
    emscripten::function("release", &vram::wasm::release);
    emscripten::function("view", &vram::wasm::view);
    emscripten::function("engines", &vram::wasm::engines);
    emscripten::function("gpus", &vram::wasm::gpus);
    emscripten::function("vocabularies", &vram::wasm::vocabularies);
    emscripten::function("version", &vram::wasm::version);
    emscripten::function("parseHeaderStats", &vram::wasm::parse_header_stats);       // scripts/bench only
    emscripten::function("parseHeaderStatsAt", &vram::wasm::parse_header_stats_at);  // scripts/bench only
}
