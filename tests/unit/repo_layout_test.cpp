// Unit tests of core/estimator/repo_layout.* — which weight files make up each component.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "estimator/repo_layout.hpp"

using namespace vram;

namespace {

std::vector<RepoFile> listing(std::initializer_list<const char*> paths) {
    std::vector<RepoFile> files;
    for (const char* p : paths) files.push_back({p, 1000});
    return files;
}

const char* kIndex =
    R"({"metadata":{"total_size":123},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}})";

}  // namespace

TEST_CASE("a single-file repo needs no manifest and names its one weight file", "[repo_layout]") {
    LayoutPlan p = plan_layout(listing({"config.json", "model.safetensors", "README.md"}), {}, "");
    REQUIRE(p.complete());
    CHECK(p.layout == "single-file");
    CHECK(p.weight_files == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("a sharded repo asks for its index first, then names each shard once", "[repo_layout]") {
    auto files = listing({"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                          "model-00002-of-00002.safetensors"});
    LayoutPlan first = plan_layout(files, {}, "");
    CHECK_FALSE(first.complete());
    CHECK(first.need_texts == std::vector<std::string>{"model.safetensors.index.json"});
    LayoutPlan done = plan_layout(files, {{"model.safetensors.index.json", kIndex}}, "");
    REQUIRE(done.complete());
    CHECK(done.layout == "sharded");
    CHECK(done.weight_files ==
          std::vector<std::string>{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"});
}

TEST_CASE("consolidated.safetensors and original/ beside HF shards are not counted", "[repo_layout]") {
    auto files =
        listing({"model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                 "consolidated.safetensors", "original/model.safetensors"});
    LayoutPlan p = plan_layout(files, {{"model.safetensors.index.json", kIndex}}, "");
    REQUIRE(p.complete());
    CHECK(p.weight_files.size() == 2);
    CHECK_FALSE(p.notes.empty());
}

TEST_CASE("a diffusers pipeline reports each component folder and skips the root checkpoint", "[repo_layout]") {
    auto files = listing({"model_index.json", "flux1-dev.safetensors", "transformer/config.json",
                          "transformer/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                          "text_encoder/model.safetensors", "scheduler/scheduler_config.json"});
    const char* index =
        R"({"_class_name":"FluxPipeline","transformer":["diffusers","FluxTransformer2DModel"],"vae":["diffusers","AutoencoderKL"],
                            "text_encoder":["transformers","CLIPTextModel"],"scheduler":["diffusers","FlowMatchEulerDiscreteScheduler"],"tokenizer":[null,null]})";
    LayoutPlan p = plan_layout(files, {{"model_index.json", index}}, "");
    REQUIRE(p.complete());
    CHECK(p.layout == "diffusers");
    REQUIRE(p.components.size() == 3);
    CHECK(std::find(p.weight_files.begin(), p.weight_files.end(), "flux1-dev.safetensors") == p.weight_files.end());
    CHECK(p.notes.back().find("flux1-dev.safetensors") != std::string::npos);
}

TEST_CASE("fp16 variants beside fp32 files count once, and the variant can be switched", "[repo_layout]") {
    auto files = listing({"model_index.json", "unet/diffusion_pytorch_model.safetensors",
                          "unet/diffusion_pytorch_model.fp16.safetensors"});
    const char* index = R"({"unet":["diffusers","UNet2DConditionModel"]})";
    LayoutPlan def = plan_layout(files, {{"model_index.json", index}}, "");
    REQUIRE(def.complete());
    CHECK(def.weight_files == std::vector<std::string>{"unet/diffusion_pytorch_model.safetensors"});
    CHECK(def.variants == std::vector<std::string>{"fp16"});
    LayoutPlan fp16 = plan_layout(files, {{"model_index.json", index}}, "fp16");
    CHECK(fp16.weight_files == std::vector<std::string>{"unet/diffusion_pytorch_model.fp16.safetensors"});
}

TEST_CASE("a sentence-transformers repo adds its Dense module", "[repo_layout]") {
    auto files = listing({"modules.json", "model.safetensors", "2_Dense/model.safetensors", "1_Pooling/config.json"});
    const char* modules = R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
                              {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
                              {"idx":2,"name":"2","path":"2_Dense","type":"sentence_transformers.models.Dense"}])";
    LayoutPlan p = plan_layout(files, {{"modules.json", modules}}, "");
    REQUIRE(p.complete());
    CHECK(p.weight_files == std::vector<std::string>{"model.safetensors", "2_Dense/model.safetensors"});
}

TEST_CASE("a repo without safetensors or GGUF says what it has instead", "[repo_layout][malformed]") {
    LayoutPlan p = plan_layout(listing({"config.json", "pytorch_model.bin", "model.onnx"}), {}, "");
    CHECK(p.error.code == ErrorCode::no_weights);
    CHECK(p.error.message.find(".bin") != std::string::npos);
    CHECK(p.error.message.find(".onnx") != std::string::npos);
}

TEST_CASE("a repo with only GGUF files is layout gguf and needs every file's header", "[repo_layout][gguf]") {
    LayoutPlan p = plan_layout(
        listing({"config.json", "pytorch_model.bin", "model.Q4_K_M.gguf", "model.Q8_0.gguf", "mmproj-model-f16.gguf"}),
        {}, "");
    REQUIRE(p.complete());
    CHECK(p.layout == "gguf");
    CHECK(p.weight_files.empty());
    CHECK(p.gguf_files == std::vector<std::string>{"model.Q4_K_M.gguf", "model.Q8_0.gguf", "mmproj-model-f16.gguf"});
    REQUIRE(p.components.size() == 3);
    CHECK(p.components[2].name == "projector");
}

TEST_CASE("a repo with safetensors and GGUF keeps the safetensors and says GGUF files are there",
          "[repo_layout][gguf]") {
    LayoutPlan p = plan_layout(listing({"config.json", "model.safetensors", "model.Q4_K_M.gguf"}), {}, "");
    REQUIRE(p.complete());
    CHECK(p.layout == "single-file");
    CHECK(p.gguf_files.empty());
    REQUIRE_FALSE(p.notes.empty());
    CHECK(p.notes.back().find("1 GGUF file") != std::string::npos);
}

TEST_CASE("split GGUF files are one model, their shards in order", "[repo_layout][gguf]") {
    GgufGroups g = gguf_groups(
        listing({"Q4_K_M/m-Q4_K_M-00002-of-00002.gguf", "Q4_K_M/m-Q4_K_M-00001-of-00002.gguf", "m-Q8_0.gguf"}));
    REQUIRE_FALSE(g.error);
    REQUIRE(g.groups.size() == 2);
    CHECK(g.groups[0].name == "Q4_K_M/m-Q4_K_M-00001-of-00002.gguf");
    CHECK(g.groups[0].files ==
          std::vector<std::string>{"Q4_K_M/m-Q4_K_M-00001-of-00002.gguf", "Q4_K_M/m-Q4_K_M-00002-of-00002.gguf"});
    CHECK(g.groups[0].split_count == 2);
    CHECK(g.groups[1].files == std::vector<std::string>{"m-Q8_0.gguf"});
}

TEST_CASE("a split GGUF with a shard missing from the listing is gguf_metadata_invalid",
          "[repo_layout][gguf][malformed]") {
    GgufGroups g = gguf_groups(listing({"m-00001-of-00003.gguf", "m-00003-of-00003.gguf"}));
    CHECK(g.error.code == ErrorCode::gguf_metadata_invalid);
    CHECK(g.error.message.find("m-00002-of-00003.gguf") != std::string::npos);
    // The first part missing is named, the last one too; a part listed twice counts once.
    g = gguf_groups(listing({"m-00002-of-00003.gguf", "m-00001-of-00003.gguf", "m-00002-of-00003.gguf"}));
    CHECK(g.error.code == ErrorCode::gguf_metadata_invalid);
    CHECK(g.error.message == "split GGUF m has 3 parts but m-00003-of-00003.gguf is not in the repo");
    // A name may claim 99,999 parts: the first missing one is named without a slot for each.
    g = gguf_groups(listing({"big-00001-of-99999.gguf", "big-99999-of-99999.gguf"}));
    CHECK(g.error.message == "split GGUF big has 99999 parts but big-00002-of-99999.gguf is not in the repo");
}

TEST_CASE("split names need five-digit parts", "[repo_layout][gguf]") {
    std::string prefix;
    uint32_t no = 0, count = 0;
    REQUIRE(parse_gguf_split_name("grok-1/grok-1-q4_0-00003-of-00009.gguf", prefix, no, count));
    CHECK(prefix == "grok-1/grok-1-q4_0");
    CHECK(no == 3);
    CHECK(count == 9);
    CHECK_FALSE(parse_gguf_split_name("m-1-of-3.gguf", prefix, no, count));
    CHECK_FALSE(parse_gguf_split_name("m-00004-of-00003.gguf", prefix, no, count));
}

TEST_CASE("an index naming an unsafe shard path is index_invalid", "[repo_layout][malformed]") {
    for (const char* shard : {"../etc/passwd", "/abs.safetensors", "https://evil/x.safetensors"}) {
        std::string idx = std::string(R"({"weight_map":{"a":")") + shard + "\"}}";
        CHECK(parse_shard_index(idx, "model.safetensors.index.json").error.code == ErrorCode::index_invalid);
    }
    CHECK(parse_shard_index("{not json", "model.safetensors.index.json").error.code == ErrorCode::index_invalid);
    CHECK(parse_shard_index(R"({"metadata":{}})", "model.safetensors.index.json").error.code ==
          ErrorCode::index_invalid);
}

TEST_CASE("a shard index gives tensors per shard and its metadata totals, even as a float", "[repo_layout]") {
    ShardList s = parse_shard_index(
        R"({"metadata":{"total_size":1.5e3,"total_parameters":7},"weight_map":{"a":"s1.safetensors","b":"s2.safetensors","c":"s1.safetensors"}})",
        "text_encoder/model.safetensors.index.json");
    REQUIRE_FALSE(s.error);
    CHECK(s.shards == std::vector<std::string>{"text_encoder/s1.safetensors", "text_encoder/s2.safetensors"});
    CHECK(s.tensors_per_shard.at("text_encoder/s1.safetensors") == 2);
    CHECK(s.total_size_bytes == 1500);
    CHECK(s.total_parameters == 7);
}

TEST_CASE("a manifest that names the same folder twice counts its weights once", "[repo_layout]") {
    auto files = listing({"modules.json", "model.safetensors"});
    LayoutPlan p = plan_layout(files, {{"modules.json", R"([{"path":""},{"path":""}])"}}, "");
    REQUIRE(p.complete());
    CHECK(p.weight_files == std::vector<std::string>{"model.safetensors"});
}

// The index reader (the Scanner, no DOM) against nlohmann, which read indexes before: the same verdict on
// validity and the same shards, counts and totals, on hand-made edge cases and on the real indexes of the
// fixture tree (DeepSeek-R1's 8.9 MB among them).
namespace {
struct IndexReference {
    bool valid = false;
    std::vector<std::string> shards;
    std::map<std::string, uint64_t> counts;
    uint64_t total_size = 0, total_params = 0;
};
IndexReference reference_index(const std::string& text) {
    IndexReference r;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    r.valid = !j.is_discarded();
    if (!r.valid || !j.is_object()) return r;
    auto count = [&](const nlohmann::json& v) {
        if (!v.is_string()) return;
        const std::string s = v.get<std::string>();
        if (r.counts[s]++ == 0) r.shards.push_back(s);
    };
    // nlohmann's object keeps the last of duplicate keys: the cases below have none.
    if (j.contains("weight_map")) {
        const auto& wm = j["weight_map"];
        if (wm.is_object() || wm.is_array())
            for (const auto& v : wm) count(v);
    }
    if (j.contains("metadata") && j["metadata"].is_object()) {
        for (const auto& [k, v] : j["metadata"].items()) {
            uint64_t* into = k == "total_size" ? &r.total_size : k == "total_parameters" ? &r.total_params : nullptr;
            if (!into || !v.is_number()) continue;
            if (v.is_number_unsigned())
                *into = v.get<uint64_t>();
            else if (v.get<double>() >= 0 && v.get<double>() < 18446744073709551616.0)
                *into = static_cast<uint64_t>(v.get<double>());
        }
    }
    return r;
}
void same_as_reference(const std::string& text) {
    INFO(text.substr(0, 200));
    const IndexReference want = reference_index(text);
    const ShardList got = parse_shard_index(text, "m.safetensors.index.json");
    if (!want.valid) {
        CHECK(got.error.code == ErrorCode::index_invalid);
        CHECK(got.error.message.find("is not valid JSON") != std::string::npos);
        return;
    }
    if (want.shards.empty()) {
        CHECK(got.error.code == ErrorCode::index_invalid);
        return;
    }
    REQUIRE_FALSE(got.error);
    CHECK(got.shards == want.shards);
    for (const auto& s : want.shards) CHECK(got.tensors_per_shard.at(s) == want.counts.at(s));
    CHECK(got.total_size_bytes == want.total_size);
    CHECK(got.total_parameters == want.total_params);
}
}  // namespace

TEST_CASE("each component reads its own folder in listing order when the listing interleaves folders",
          "[repo_layout]") {
    // The planner groups the listing by folder once; within a folder the order is the listing's, which decides
    // which of several unindexed files is named first and which index wins when a folder has several.
    auto files = listing({"model_index.json", "vae/b.safetensors", "unet/other.safetensors.index.json",
                          "vae/config.json", "unet/diffusion_pytorch_model.safetensors.index.json", "vae/a.safetensors",
                          "unet/config.json", "text_encoder/model.fp16.safetensors", "vae/config.json",
                          "text_encoder/model.safetensors", "unet/last.safetensors.index.json"});
    const std::string manifest =
        R"({"_class_name":"P","vae":["diffusers","AutoencoderKL"],"unet":["diffusers","UNet2DConditionModel"],)"
        R"("text_encoder":["transformers","CLIPTextModel"]})";
    LayoutPlan p = plan_layout(files, {{"model_index.json", manifest}}, "");
    REQUIRE_FALSE(p.error);
    REQUIRE(p.components.size() == 3);  // in the manifest's key order (nlohmann's object sorts its keys)
    const ComponentPlan& text_encoder = p.components[0];
    const ComponentPlan& unet = p.components[1];
    const ComponentPlan& vae = p.components[2];
    CHECK(vae.name == "vae");
    CHECK(vae.files == std::vector<std::string>{"vae/b.safetensors", "vae/a.safetensors"});
    CHECK(vae.config_path == "vae/config.json");
    CHECK(unet.name == "unet");  // the canonical stem's index, though another index is listed after it
    CHECK(unet.index_path == "unet/diffusion_pytorch_model.safetensors.index.json");
    CHECK(unet.config_path == "unet/config.json");
    CHECK(text_encoder.files == std::vector<std::string>{"text_encoder/model.safetensors"});
    CHECK(text_encoder.config_path.empty());
    CHECK(p.variants == std::vector<std::string>{"fp16"});
    CHECK(p.need_texts == std::vector<std::string>{"unet/diffusion_pytorch_model.safetensors.index.json"});
}

TEST_CASE("the shard index reader agrees with nlohmann on validity, shards, counts and totals", "[repo_layout]") {
    for (const char* text : {
             R"({"weight_map":{"a":"s1","b":"s2","c":"s1"}})",
             R"( {"metadata":{"total_size":-5,"total_parameters":1e30,"x":[1,{"y":null}]},"weight_map":{"a":"s"}} )",
             R"({"metadata":{"total_size":18446744073709551615},"weight_map":{"a":"s"}})",
             R"({"metadata":{"total_size":18446744073709551616},"weight_map":{"a":"s"}})",
             R"({"metadata":{"total_size":"12","total_parameters":2.9},"weight_map":{"a":"s"}})",
             R"({"weight_map":["s1","s2",3,{"a":"s3"},["s4"]]})",
             R"({"weight_map":{"a":{"nested":"s1"},"b":"s2","c":null,"d":true}})",
             R"({"weight_map":{"\u00e9\ud83d\ude00":"s\u002f1","x":"s\/1"}})",
             R"({"weight_map":"s1"})",
             R"({"weight_map":{}})",
             R"([{"weight_map":{"a":"s"}}])",
             R"("weight_map")",
             R"({"weight_map":{"a":"s"}} x)",
             R"({"weight_map":{"a":"s",}})",
             R"({"weight_map":{"a":"s"})",
             R"({"weight_map":{"a":"s\x"}})",
             R"({"weight_map":{"a":"s1"},"weight_map2":{"a":"s2"}})",
             R"({"metadata":{"total_size":01},"weight_map":{"a":"s"}})",
             R"({"metadata":{"total_size":1.},"weight_map":{"a":"s"}})",
             "{\"weight_map\":{\"a\":\"s\xff\"}}",
             "{\"weight_map\":{\"a\":\"s\t\"}}",
             "",
             "   ",
         })
        same_as_reference(text);
    for (const char* repo :
         {"deepseek-ai/DeepSeek-R1", "mistralai/Mistral-7B-v0.1", "Qwen/Qwen3-Next-80B-A3B-Instruct"}) {
        std::ifstream in(std::string(VRAM_SOURCE_DIR) + "/tests/fixtures/hub/" + repo + "/model.safetensors.index.json",
                         std::ios::binary);
        REQUIRE(in);
        same_as_reference(std::string(std::istreambuf_iterator<char>(in), {}));
    }
}

TEST_CASE("model_index.json components: [library, class] pairs, in key order, a repeated key counting as its last",
          "[repo_layout]") {
    // The manifest is read with nlohmann's SAX parser: the members, their order and the errors must be those
    // json::parse gave.
    auto files = listing({"model_index.json", "a/model.safetensors", "b/model.safetensors", "c/model.safetensors",
                          "d/model.safetensors", "e/model.safetensors"});
    auto components = [&](const std::string& index) {
        LayoutPlan p = plan_layout(files, {{"model_index.json", index}}, "");
        std::string names;
        for (const auto& c : p.components) names += c.name + " ";
        return p.error ? "error: " + p.error.message : names;
    };
    CHECK(components(R"({"c":["x","C"],"a":["x","A"],"_class_name":"P"})") == "a c ");
    CHECK(components(R"({"a":["x","A"],"b":[null,"B"],"c":["x"],"d":["x","D",1],"e":{"0":"x","1":"E"}})") == "a ");
    CHECK(components(R"({"a":[["x"],{"y":1}],"b":[[null],null]})") == "a b ");
    CHECK(components(R"({"a":["x","A"],"a":null,"b":null,"b":["x","B"]})") == "b ");
    CHECK(components(R"({"a":{"b":["x","B"]},"c":[1,[2,3,4]]})") == "c ");
    CHECK(components(R"(["a","b"])") == "error: model_index.json is not an object");
    CHECK(components(R"({"a":["x","A"])") ==
          "error: model_index.json is not valid JSON: [json.exception.parse_error.101] parse error at line 1, column "
          "15: syntax error while parsing object - unexpected end of input; expected '}'");
    CHECK(components(R"({"a":1e999})") ==
          "error: model_index.json is not valid JSON: [json.exception.out_of_range.406] number overflow parsing "
          "'1e999'");
}

TEST_CASE("listed sizes: a path listed twice has its last entry's size, an unlisted path 0", "[repo_layout]") {
    const std::vector<RepoFile> files = {
        {"model.safetensors", 10}, {"a", 1}, {"a/b", 2}, {"model.safetensors", 30}, {"ab", 3}, {"a/b", 4}, {"", 5},
        {"model.safetensors", 20}};
    const ListedSizes sizes = listed_sizes(files);
    CHECK(sizes.size() == 5);  // one entry per path
    CHECK(listed_size(sizes, "model.safetensors") == 20);
    CHECK(listed_size(sizes, "a") == 1);
    CHECK(listed_size(sizes, "a/b") == 4);
    CHECK(listed_size(sizes, "ab") == 3);
    CHECK(listed_size(sizes, "") == 5);
    CHECK(listed_size(sizes, "a/") == 0);
    CHECK(listed_size(sizes, "model") == 0);
    CHECK(listed_size(sizes, "zzz") == 0);
    CHECK(listed_size(listed_sizes({}), "a") == 0);
}
