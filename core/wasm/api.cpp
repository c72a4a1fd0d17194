#include "wasm/api.hpp"

#include <emscripten/emscripten.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "estimator/report.hpp"
#include "estimator/safetensors.hpp"
#include "estimator/version.hpp"
#include "hub/hub_client.hpp"
#include "wasm/fetch_transport.hpp"

namespace vram::wasm {
namespace {

using nlohmann::json;

struct Loaded {
    RepoSnapshot snapshot;
    Model model;
    std::string gguf_asked;  // the gguf_file the model was analyzed for ("" = default)
};

FetchTransport g_transport;
std::map<int, std::unique_ptr<HubClient>> g_sessions;
std::map<int, std::unique_ptr<Loaded>> g_models;
int g_next_id = 1;

std::string error_json(const Error& e) {
    return json{{"ok", false}, {"error", {{"code", error_code_name(e.code)}, {"message", e.message}}}}.dump();
}

std::string register_model(RepoSnapshot snap, const HubStats* stats) {
    auto loaded = std::make_unique<Loaded>();
    loaded->model = analyze(snap);
    if (loaded->model.error) return error_json(loaded->model.error);
    loaded->snapshot = std::move(snap);
    const int handle = g_next_id++;
    json out = {{"ok", true},
                {"handle", handle},
                {"repo_id", loaded->model.repo_id},
                {"revision", loaded->model.revision},
                {"sha", loaded->model.sha},
                {"gated", loaded->snapshot.gated}};
    if (stats) out["stats"] = {{"requests", stats->requests}, {"bytes", stats->bytes}, {"chain", stats->chain}};
    g_models[handle] = std::move(loaded);
    return out.dump();
}

}  // namespace

int load_model(std::string endpoint, std::string repo_id, std::string revision, std::string token, std::string variant,
               emscripten::val on_progress, emscripten::val on_done) {
    HubOptions options;
    if (!endpoint.empty()) options.endpoint = endpoint;
    options.token = std::move(token);
    options.revision = revision.empty() ? "main" : revision;
    options.variant = std::move(variant);
    const int session = g_next_id++;
    auto client = std::make_unique<HubClient>(g_transport, options);
    HubClient* raw = client.get();
    g_sessions[session] = std::move(client);
    raw->load(
        repo_id,
        [on_progress](const HubProgress& p) {
            on_progress(json{
                {"stage", p.stage}, {"files_done", p.files_done}, {"files_total", p.files_total}, {"bytes", p.bytes}}
                            .dump());
        },
        [session, on_done](LoadResult r) {
            std::string out = r.error ? error_json(r.error) : register_model(std::move(r.snapshot), &r.stats);
            on_done(out);
            // The client is still on the stack of this callback: free it on the next turn.
            emscripten_async_call([](void* id) { g_sessions.erase(static_cast<int>(reinterpret_cast<intptr_t>(id))); },
                                  reinterpret_cast<void*>(static_cast<intptr_t>(session)), 0);
        });
    return session;
}

void cancel(int session) {
    if (auto it = g_sessions.find(session); it != g_sessions.end()) it->second->cancel();
}

std::string load_snapshot(std::string snapshot_json) {
    SnapshotResult s = snapshot_from_json(snapshot_json);
    if (s.error) return error_json(s.error);
    return register_model(std::move(s.snapshot), nullptr);
}

emscripten::val snapshot(int handle) {
    auto it = g_models.find(handle);
    if (it == g_models.end()) return emscripten::val::null();
    // Built as a JS object, each string handed over from its place in the heap: a 22 MB snapshot
    // serialised here first would need as much heap again (engine.js does JSON.stringify). The
    // keys are snapshot_to_json's, so snapshot_from_json reads it back.
    const RepoSnapshot& snap = it->second->snapshot;
    using emscripten::val;
    val out = val::object();
    out.set("schema", 1);
    out.set("repo_id", snap.repo_id);
    out.set("revision", snap.revision);
    out.set("sha", snap.sha);
    out.set("gated", snap.gated);
    out.set("library_name", snap.library_name);
    out.set("pipeline_tag", snap.pipeline_tag);
    out.set("variant", snap.variant);
    val files = val::array();
    for (const auto& f : snap.files) {
        val e = val::object();
        e.set("path", f.path);
        e.set("size", static_cast<double>(f.size_bytes));
        files.call<void>("push", e);
    }
    out.set("files", files);
    auto map = [](const std::map<std::string, std::string>& m, bool base64) {
        val o = val::object();
        for (const auto& [k, v] : m) o.set(k, base64 ? base64_encode(v) : v);
        return o;
    };
    out.set("texts", map(snap.texts, false));
    out.set("headers", map(snap.headers, false));
    if (!snap.gguf_prefixes.empty()) out.set("gguf_prefixes", map(snap.gguf_prefixes, true));
    return out;
}

namespace {

// Reads the options JSON and picks the model (re-analyzing a GGUF repo for another file); returns
// nullptr with `error` set when either is wrong.
const Model* prepare(int handle, const std::string& options_json, EstimateOptions& o, std::string& error) {
    auto it = g_models.find(handle);
    if (it == g_models.end()) {
        error = error_json(make_error(ErrorCode::invalid_argument, "no model with handle " + std::to_string(handle)));
        return nullptr;
    }
    std::string gguf_file;
    try {
        json j = json::parse(options_json);
        if (j.contains("precision") && !parse_precision(j["precision"].get<std::string>(), o.precision)) {
            error = error_json(make_error(ErrorCode::invalid_argument, "unknown precision " + j["precision"].dump()));
            return nullptr;
        }
        o.context_tokens = j.value("context_tokens", uint64_t{0});
        o.batch = j.value("batch", 1u);
        o.profile = j.value("profile", std::string("classic"));
        o.kv_dtype = j.value("kv_dtype", std::string("auto"));
        o.tp = j.value("tp", 1u);
        o.gpu = j.value("gpu", std::string());
        o.gpu_memory_utilization = j.value("gpu_memory_utilization", 0.0);
        o.max_num_batched_tokens = j.value("max_num_batched_tokens", uint64_t{0});
        o.flash_attention = j.value("flash_attention", true);
        o.n_gpu_layers = j.value("n_gpu_layers", -1);
        o.ubatch_tokens = j.value("ubatch_tokens", 512u);
        gguf_file = j.value("gguf_file", std::string());
    } catch (const json::exception& e) {
        error = error_json(make_error(ErrorCode::invalid_argument, std::string("bad options: ") + e.what()));
        return nullptr;
    }
    Loaded& loaded = *it->second;
    // Another quantization of a GGUF repo: re-analyze the stored snapshot (no request), keep it for the next call.
    if (loaded.model.layout == "gguf" && gguf_file != loaded.gguf_asked) {
        Model other = analyze(loaded.snapshot, gguf_file);
        if (other.error) {
            error = error_json(other.error);
            return nullptr;
        }
        loaded.model = std::move(other);
        loaded.gguf_asked = gguf_file;
    }
    return &loaded.model;
}

}  // namespace

std::string report(int handle, std::string options_json, std::string format) {
    EstimateOptions o;
    std::string error;
    const Model* m = prepare(handle, options_json, o, error);
    if (!m) return error;
    Estimate e = estimate(*m, o);
    if (e.error) return error_json(e.error);
    if (format == "text") return render_text(*m, e);
    if (format == "markdown") return render_markdown(*m, e);
    return render_json(*m, e, -1);
}

std::string series(int handle, std::string options_json, std::string contexts_json) {
    EstimateOptions o;
    std::string error;
    const Model* m = prepare(handle, options_json, o, error);
    if (!m) return error;
    o.fit_table = false;
    o.gpu.clear();  // the fit searches are the chosen GPU's; a chart point needs the totals only
    json out = json::array();
    try {
        for (const auto& c : json::parse(contexts_json)) {
            o.context_tokens = c.get<uint64_t>();
            Estimate e = estimate(*m, o);
            if (e.error) return error_json(e.error);
            out.push_back(e.per_gpu.total_bytes);
        }
    } catch (const json::exception& e) {
        return error_json(make_error(ErrorCode::invalid_argument, std::string("bad contexts: ") + e.what()));
    }
    return out.dump();
}

void release(int handle) { g_models.erase(handle); }

std::string version() { return kToolVersion; }

std::string gpus() {
    json out = json::array();
    for (const auto& g : gpu_catalog())
        out.push_back({{"id", g.id},
                       {"name", g.name},
                       {"segment", g.segment},
                       {"backend", gpu_backend_name(g.backend)},
                       {"memory_bytes", g.memory_bytes},
                       {"usable_bytes", g.usable_bytes},
                       {"multi_gpu", g.multi_gpu}});
    return out.dump();
}

int parse_header_stats(std::string header_json) {
    SafetensorsHeader h = parse_safetensors_header(header_json, "bench.safetensors", 0);
    return h.error ? -1 : static_cast<int>(h.tensors.size());
}

}  // namespace vram::wasm
