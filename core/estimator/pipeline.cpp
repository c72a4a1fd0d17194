#include "estimator/pipeline.hpp"

#include <nlohmann/json.hpp>

namespace vram {
namespace {

using nlohmann::json;

uint64_t num(const json& c, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (c.contains(k) && c[k].is_number_unsigned()) return c[k].get<uint64_t>();
    return 0;
}

json parse_object(const std::string& text) {
    try {
        json j = json::parse(text);
        if (j.is_object()) return j;
    } catch (const json::exception&) {}
    return json::object();
}

}  // namespace

PipelineShape read_pipeline_shape(const std::string& model_index, const std::map<std::string, std::string>& configs) {
    PipelineShape p;
    const json index = parse_object(model_index);
    if (index.empty()) return p;
    p.present = true;
    if (index.contains("_class_name") && index["_class_name"].is_string())
        p.pipeline_class = index["_class_name"].get<std::string>();
    for (const auto& [name, text] : configs) {
        const json c = parse_object(text);
        const std::string cls = c.contains("_class_name") && c["_class_name"].is_string()
                                    ? c["_class_name"].get<std::string>()
                                    : (c.contains("architectures") && c["architectures"].is_array() &&
                                               !c["architectures"].empty() && c["architectures"][0].is_string()
                                           ? c["architectures"][0].get<std::string>()
                                           : std::string());
        if (name == "transformer" || name == "unet") {
            p.denoiser = name;
            p.denoiser_class = cls;
            p.heads = num(c, {"num_attention_heads"});
            p.head_dim = num(c, {"attention_head_dim"});
            p.patch_size = num(c, {"patch_size"}) ? num(c, {"patch_size"}) : 1;
            p.sample_size = num(c, {"sample_size"});
            p.joint_attention = num(c, {"joint_attention_dim"}) > 0;
        } else if (name == "vae") {
            if (c.contains("block_out_channels") && c["block_out_channels"].is_array())
                for (const auto& v : c["block_out_channels"])
                    if (v.is_number_unsigned()) p.vae_channels.push_back(v.get<uint64_t>());
            p.latent_channels = num(c, {"latent_channels"});
            p.vae_force_upcast =
                c.contains("force_upcast") && c["force_upcast"].is_boolean() && c["force_upcast"].get<bool>();
        } else if (name.rfind("text_encoder", 0) == 0) {
            TextEncoderShape t;
            t.name = name;
            t.class_name = cls;
            t.hidden = num(c, {"hidden_size", "d_model"});
            t.ffn = num(c, {"intermediate_size", "d_ff"});
            t.heads = num(c, {"num_attention_heads", "num_heads"});
            t.max_positions = num(c, {"max_position_embeddings"});
            if (t.hidden) p.text_encoders.push_back(t);
        }
    }
    return p;
}

}  // namespace vram
