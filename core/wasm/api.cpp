#include "wasm/api.hpp"

#include <emscripten/emscripten.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "estimator/report.hpp"
#include "estimator/safetensors.hpp"
#include "estimator/training_report.hpp"
#include "estimator/version.hpp"
#include "estimator/vocabulary.hpp"
#include "hub/hub_client.hpp"
#include "wasm/fetch_transport.hpp"

namespace vram::wasm {
namespace {

using nlohmann::json;

struct Loaded {
    RepoSnapshot snapshot;
    Model model;
    std::string gguf_asked;  // the gguf_file the model was analyzed for ("" = default)
    bool have_tensors = false;
    TrainTensors tensors;  // the fine-tuning estimate's tensors, read from the snapshot on the first --train report
};

FetchTransport g_transport;
std::map<int, std::unique_ptr<HubClient>> g_sessions;
std::map<int, std::unique_ptr<Loaded>> g_models;
int g_next_id = 1;

// Every answer is dumped with invalid UTF-8 replaced: strings from the network must never make the dump throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_json(const Error& e) {
    return dump(json{{"ok", false}, {"error", {{"code", error_code_name(e.code)}, {"message", e.message}}}});
}

// The one error shape at the boundary: whatever an adapter throws (a nlohmann error, std::bad_alloc when the heap
// reaches its maximum, anything else) becomes {ok:false, error:{code, message}}.
template <class Fn>
std::string guarded(Fn&& fn) {
    try {
        return fn();
    } catch (const std::bad_alloc&) {
        return error_json(make_error(ErrorCode::out_of_memory,
                                     "the estimate ran out of memory in this tab (the WebAssembly heap is full)"));
    } catch (const std::exception& e) {
        return error_json(make_error(ErrorCode::internal, std::string("internal error: ") + e.what()));
    } catch (...) {
        return error_json(make_error(ErrorCode::internal, "internal error"));
    }
}

// `parsed`: what the Hub client parsed on the way in (null for a saved snapshot).
std::string register_model(RepoSnapshot snap, const HubStats* stats, AnalyzeCache* parsed) {
    auto loaded = std::make_unique<Loaded>();
    loaded->model = analyze(snap, "", parsed);
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
    return dump(out);
}

}  // namespace

namespace {

// The progress reports that reach the page: every change of stage, the last header, and otherwise at most one every
// kProgressEveryMs. The client reports each answer; on a 163-shard repo, a message per header cost the worker ~50 ms
// (the JSON, the string's way into JS, postMessage) and the page as many progress-bar updates, in the very
// moments the answers arrive.
constexpr double kProgressEveryMs = 50;
struct ProgressGate {
    std::string stage;
    uint32_t files_done = 0;
    double at_ms = -1e9;
    bool pass(const HubProgress& p, double now_ms) {
        const bool last_header = p.files_total && p.files_done == p.files_total && p.files_done != files_done;
        if (p.stage == stage && !last_header && now_ms - at_ms < kProgressEveryMs) return false;
        stage = p.stage;
        files_done = p.files_done;
        at_ms = now_ms;
        return true;
    }
};

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
        [on_progress, last = ProgressGate{}](const HubProgress& p) mutable {
            if (!last.pass(p, emscripten_get_now())) return;
            on_progress(dump(json{
                {"stage", p.stage}, {"files_done", p.files_done}, {"files_total", p.files_total}, {"bytes", p.bytes}}));
        },
        [session, on_done](LoadResult r) {
            std::string out = guarded([&] {
                return r.error ? error_json(r.error) : register_model(std::move(r.snapshot), &r.stats, &r.parsed);
            });
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
    return guarded([&] {
        SnapshotResult s = snapshot_from_json(snapshot_json);
        if (s.error) return error_json(s.error);
        return register_model(std::move(s.snapshot), nullptr, nullptr);
    });
}

namespace {

// write_snapshot() into a JS object, each string handed over from its place in the heap: a 22 MB snapshot
// serialised here first would need as much heap again (engine.js does JSON.stringify).
struct ValWriter {
    emscripten::val out = emscripten::val::object();
    void text(const char* k, const std::string& v) { out.set(k, v); }
    void number(const char* k, uint64_t v) { out.set(k, static_cast<double>(v)); }
    void files(const char* k, const std::vector<RepoFile>& files) {
        emscripten::val list = emscripten::val::array();
        for (const auto& f : files) {
            emscripten::val e = emscripten::val::object();
            e.set("path", f.path);
            e.set("size", static_cast<double>(f.size_bytes));
            list.call<void>("push", e);
        }
        out.set(k, list);
    }
    void map(const char* k, const std::map<std::string, std::string>& m, bool base64) {
        // Text goes to JS through a TextDecoder over a view of the heap: no copy of it is made in the heap first
        // (the headers of a 163-shard repo are 12 MB of text).
        // ignoreBOM: the text's bytes as they are (a leading BOM is kept, as the heap copy kept it).
        static const emscripten::val decoder = [] {
            emscripten::val options = emscripten::val::object();
            options.set("ignoreBOM", true);
            return emscripten::val::global("TextDecoder").new_(std::string("utf-8"), options);
        }();
        emscripten::val o = emscripten::val::object();
        for (const auto& [key, v] : m) {
            if (base64)
                o.set(key, base64_encode(v));
            else
                o.set(key, decoder.call<emscripten::val>("decode", emscripten::typed_memory_view(v.size(), v.data())));
        }
        out.set(k, o);
    }
};

}  // namespace

emscripten::val snapshot(int handle) {
    auto it = g_models.find(handle);
    if (it == g_models.end()) return emscripten::val::null();
    ValWriter w;
    write_snapshot(it->second->snapshot, w);
    return w.out;
}

namespace {

std::string no_model_json(int handle) {
    return error_json(make_error(ErrorCode::invalid_argument, "no model with handle " + std::to_string(handle)));
}

// An option's value as the core's parser takes it: text, as on the command line; a list (lora_targets) as "a,b";
// "" for an empty list (the default list).
std::string option_text(const json& v) {
    if (v.is_array()) {
        std::string list;
        for (const auto& item : v)
            list += (list.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : dump(item));
        return list;
    }
    return v.is_string()            ? v.get<std::string>()
           : v.is_boolean()         ? (v.get<bool>() ? "on" : "off")
           : v.is_number_unsigned() ? std::to_string(v.get<uint64_t>())
           : v.is_number_integer()  ? std::to_string(v.get<int64_t>())
                                    : dump(v);
}

// Reads the options JSON and picks the model (re-analyzing a GGUF repo for another file); returns
// nullptr with `error` set when either is wrong.
const Model* prepare(int handle, const std::string& options_json, EstimateOptions& o, std::string& error) {
    auto it = g_models.find(handle);
    if (it == g_models.end()) {
        error = no_model_json(handle);
        return nullptr;
    }
    std::string gguf_file;
    const json j = json::parse(options_json, nullptr, false);
    if (!j.is_object()) {
        error = error_json(make_error(ErrorCode::invalid_option, "options must be a JSON object"));
        return nullptr;
    }
    GivenOptions given;
    for (auto kv = j.begin(); kv != j.end(); ++kv) {
        const json& v = kv.value();
        if (kv.key() == "gguf_file") {
            gguf_file = v.is_string() ? v.get<std::string>() : "";
            continue;
        }
        if (v.is_null() || (v.is_array() && v.empty())) continue;  // no patterns: the default list
        given.emplace_back(kv.key(), option_text(v));
    }
    OptionsResult r = resolve_options(given);
    if (r.error) {
        error = error_json(r.error);
        return nullptr;
    }
    o = r.options;
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
        loaded.have_tensors = false;
    }
    return &loaded.model;
}

}  // namespace

std::string report_unguarded(int handle, const std::string& options_json, const std::string& format);
std::string view_unguarded(int handle, const std::string& options_json, const std::string& request_json);

std::string report(int handle, std::string options_json, std::string format) {
    return guarded([&] { return report_unguarded(handle, options_json, format); });
}

std::string view(int handle, std::string options_json, std::string request_json) {
    return guarded([&] { return view_unguarded(handle, options_json, request_json); });
}

std::string report_unguarded(int handle, const std::string& options_json, const std::string& format) {
    EstimateOptions o;
    std::string error;
    const Model* m = prepare(handle, options_json, o, error);
    if (!m) return error;
    Estimate e = estimate(*m, o);
    if (e.error) return error_json(e.error);
    if (o.train) {
        // The same path as the CLI's --train: tensors of the stored snapshot (read once per model), no request.
        Loaded& loaded = *g_models.at(handle);
        if (!loaded.have_tensors) {
            loaded.tensors = training_tensors(loaded.snapshot, loaded.model);
            loaded.have_tensors = true;
        }
        if (loaded.tensors.error) return error_json(loaded.tensors.error);
        const TrainingEstimate t = train_estimate(*m, loaded.tensors, o.training, o.gpu);
        if (t.error) return error_json(t.error);
        if (format == "text") return render_training_text(*m, t);
        if (format == "markdown") return render_training_markdown(*m, t);
        return render_json(*m, e, -1, &t);
    }
    if (format == "text") return render_text(*m, e);
    if (format == "markdown") return render_markdown(*m, e);
    return render_json(*m, e, -1);
}

namespace {

// One chart point or matrix cell: the per-GPU parts at one context, and with a GPU whether it fits (no searches).
json point_json(const Model& m, EstimateOptions o, uint64_t context, Error& error) {
    o.fit_table = false;
    o.fit_limits = false;
    o.assumption_lines = false;  // read: the figures below, never the lines (~12 % of a view's time on DeepSeek-R1)
    o.context_tokens = context;
    const Estimate e = estimate(m, o);
    if (e.error) {
        error = e.error;
        return nullptr;
    }
    return {{"context_tokens", e.context_tokens},          {"model_weights", e.per_gpu.weights_bytes},
            {"kv_cache", e.per_gpu.kv_cache_bytes},        {"activation_overhead", e.per_gpu.activation_bytes},
            {"cuda_overhead", e.per_gpu.overhead_bytes},   {"total", e.per_gpu.total_bytes},
            {"fits", e.gpu ? json(e.fits) : json(nullptr)}};
}

bool token_counts(const json& j, std::vector<uint64_t>& out) {
    if (!j.is_array() || j.size() > 64) return false;
    for (const auto& c : j) {
        if (!c.is_number_unsigned()) return false;
        out.push_back(c.get<uint64_t>());
    }
    return true;
}

// A matrix row's options without reading them all anew: the view's options `o` with the row's values set on top, as
// resolve_options would set them (each option sets its own field; the row's value wins) and validated. nullptr with
// `error` empty when the row needs the whole resolution (it names the profile, whose defaults come first, the GGUF
// file, which re-analyzes the model, a fine-tuning option, checked against --train, or an absent value); with `error`
// set when a value is refused. In a CPU profile of a DeepSeek-R1 view, reading the options anew per row was ~10 %.
const Model* row_on_top(const Model& m, const EstimateOptions& o, const json& row, EstimateOptions& out,
                        std::string& error) {
    if (!row.is_object()) return nullptr;
    out = o;
    for (auto kv = row.begin(); kv != row.end(); ++kv) {
        const OptionSpec* spec = find_option(kv.key());
        if (!spec || spec->training || std::string_view(spec->key) == "profile" || kv.value().is_null() ||
            (kv.value().is_array() && kv.value().empty()))
            return nullptr;
        if (Error e = set_option(out, *spec, option_text(kv.value()))) {
            error = error_json(e);
            return nullptr;
        }
    }
    if (Error e = validate_options(out)) {
        error = error_json(e);
        return nullptr;
    }
    return &m;
}

}  // namespace

// The page's one call per control change: the report, the chart's points and the precision × context matrix, all
// from the metadata already loaded. request: {"contexts":[N…], "matrix":{"rows":[{option overrides}…],
// "contexts":[N…]}}; each matrix row is the options with its overrides (e.g. {"precision":"int4"}).
std::string view_unguarded(int handle, const std::string& options_json, const std::string& request_json) {
    EstimateOptions o;
    std::string error;
    const Model* m = prepare(handle, options_json, o, error);
    if (!m) return error;
    const json request = json::parse(request_json, nullptr, false);
    std::vector<uint64_t> contexts, cell_contexts;
    const json matrix = request.is_object() ? request.value("matrix", json::object()) : json();
    const json rows = matrix.is_object() ? matrix.value("rows", json::array()) : json();
    if (!request.is_object() || !token_counts(request.value("contexts", json::array()), contexts) ||
        !token_counts(matrix.value("contexts", json::array()), cell_contexts) || !rows.is_array() || rows.size() > 16)
        return error_json(
            make_error(ErrorCode::invalid_option,
                       "view request: contexts and matrix.contexts are arrays of at most 64 token counts, "
                       "matrix.rows an array of at most 16 option objects"));
    const Estimate e = estimate(*m, o);
    if (e.error) return error_json(e.error);
    json points = json::array();
    for (uint64_t c : contexts) {
        Error failure;
        points.push_back(point_json(*m, o, c, failure));
        if (failure) return error_json(failure);
    }
    json cells = json::array();
    const json base = json::parse(options_json);
    for (const auto& row : rows) {
        EstimateOptions ro;
        std::string row_error;
        const Model* rm = row_on_top(*m, o, row, ro, row_error);
        if (!rm && row_error.empty()) {  // a row that changes the profile or the GGUF file: the options anew
            json given = base;
            if (row.is_object()) given.update(row);
            rm = prepare(handle, dump(given), ro, row_error);
        }
        json line = json::array();
        Error failure;
        for (uint64_t c : cell_contexts) {
            if (!rm || failure) break;
            line.push_back(point_json(*rm, ro, c, failure));
        }
        if (!rm)
            cells.push_back({{"error", json::parse(row_error).value("error", json::object())}});
        else if (failure)
            cells.push_back({{"error", {{"code", error_code_name(failure.code)}, {"message", failure.message}}}});
        else
            cells.push_back({{"cells", line}});
    }
    // A row naming another GGUF file re-analyzed the model: back to the one the report is for (no other layout changes).
    if (m->layout == "gguf") m = prepare(handle, options_json, o, error);
    return "{\"ok\":true,\"report\":" + render_json(*m, e, -1) + ",\"series\":" + dump(points) +
           ",\"matrix\":" + dump(cells) + "}";
}

// Which engines refuse the model, and why, in one call: each profile's estimate at its defaults without the fit
// table and searches (they cannot refuse), and the report of the first engine that takes it (its model-level fields:
// layout, architecture, files, variants). The page asked for a full report per engine before (5 calls, each with the
// 40-GPU fit table and its searches).
std::string engines_unguarded(int handle) {
    if (g_models.find(handle) == g_models.end())  // no such model: every engine would say so
        return no_model_json(handle);
    json refused = json::object();
    std::string first;
    for (const auto& p : profiles()) {
        EstimateOptions o;
        std::string error;
        const Model* m = prepare(handle, dump(json{{"profile", p.name}}), o, error);
        if (!m) {  // the engine's defaults refused (error: the core's error JSON)
            refused[p.name] = json::parse(error)["error"].value("message", error);
            continue;
        }
        o.fit_table = false;
        o.fit_limits = false;
        const Estimate e = estimate(*m, o);
        if (e.error)
            refused[p.name] = e.error.message;
        else if (first.empty())
            first = render_json(*m, e, -1);
    }
    return "{\"ok\":true,\"refused\":" + dump(refused) + ",\"first\":" + (first.empty() ? "null" : first) + "}";
}

std::string engines(int handle) {
    return guarded([&] { return engines_unguarded(handle); });
}

void release(int handle) { g_models.erase(handle); }

std::string version() { return kToolVersion; }

std::string gpus() {
    return guarded([] { return dump(gpus_json()); });
}

std::string vocabularies() {
    return guarded([] { return dump(vocabularies_json()); });
}

int parse_header_stats(std::string header_json) {
    SafetensorsHeader h = parse_safetensors_header(header_json, "bench.safetensors", 0);
    return h.error ? -1 : static_cast<int>(h.tensors.size());
}

// The bytes already in the heap (at `address`, `length` long), as emscripten_fetch leaves a response
// body: no copy into a std::string, the page's real path.
int parse_header_stats_at(uintptr_t address, uint32_t length) {
    std::string_view bytes(reinterpret_cast<const char*>(address), length);
    SafetensorsHeader h = parse_safetensors_header(bytes, "bench.safetensors", 0);
    return h.error ? -1 : static_cast<int>(h.tensors.size());
}

}  // namespace vram::wasm
