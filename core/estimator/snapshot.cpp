#include "estimator/snapshot.hpp"

#include <nlohmann/json.hpp>

namespace vram {

using nlohmann::json;

std::string snapshot_to_json(const RepoSnapshot& s) {
    json files = json::array();
    for (const auto& f : s.files) files.push_back({{"path", f.path}, {"size", f.size_bytes}});
    json j = {{"schema", 1},          {"repo_id", s.repo_id},     {"revision", s.revision},
              {"sha", s.sha},         {"gated", s.gated},         {"library_name", s.library_name},
              {"pipeline_tag", s.pipeline_tag}, {"variant", s.variant}, {"files", files},
              {"texts", s.texts},     {"headers", s.headers}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

SnapshotResult snapshot_from_json(std::string_view text) {
    SnapshotResult out;
    try {
        json j = json::parse(text.begin(), text.end());
        RepoSnapshot& s = out.snapshot;
        s.repo_id = j.at("repo_id").get<std::string>();
        s.revision = j.value("revision", std::string());
        s.sha = j.value("sha", std::string());
        s.gated = j.value("gated", std::string("false"));
        s.library_name = j.value("library_name", std::string());
        s.pipeline_tag = j.value("pipeline_tag", std::string());
        s.variant = j.value("variant", std::string());
        for (const auto& f : j.at("files")) s.files.push_back({f.at("path").get<std::string>(), f.at("size").get<uint64_t>()});
        s.texts = j.at("texts").get<std::map<std::string, std::string>>();
        s.headers = j.at("headers").get<std::map<std::string, std::string>>();
    } catch (const json::exception& e) {
        out.error = make_error(ErrorCode::bad_response, std::string("stored metadata is unreadable: ") + e.what());
    }
    return out;
}

}  // namespace vram
