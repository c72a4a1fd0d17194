// Unit tests of core/estimator/model.* for GGUF repos: tensors from the GGUF tensor infos, the architecture
// from the metadata, the quantization table, the choice of file, split models and projectors; and the
// snapshot's GGUF prefixes (core/estimator/snapshot.*).
#include <catch2/catch.hpp>

#include "estimator/model.hpp"
#include "estimator/precision.hpp"
#include "gguf_writer.hpp"

using namespace vram;
using vram::test::build_llama_gguf;
using vram::test::BuiltGguf;
using vram::test::LlamaGguf;

namespace {

void add_file(RepoSnapshot& s, const std::string& path, const BuiltGguf& g) {
    s.files.push_back({path, g.size});
    s.gguf_prefixes[path] = g.header;
}

RepoSnapshot repo() {
    RepoSnapshot s;
    s.repo_id = "acme/m-GGUF";
    s.sha = "0123456789abcdef0123456789abcdef01234567";
    s.files.push_back({"README.md", 10});
    return s;
}

LlamaGguf quant(uint32_t file_type, uint32_t matrix_type) {
    LlamaGguf g;
    g.file_type = file_type;
    g.matrix_type = matrix_type;
    return g;
}

}  // namespace

TEST_CASE("a GGUF repo's tensors carry bytes from their blocks and the architecture comes from the metadata",
          "[model][gguf]") {
    RepoSnapshot s = repo();
    LlamaGguf g = quant(15, 12);
    add_file(s, "m.Q4_K_M.gguf", build_llama_gguf(g));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    CHECK(m.layout == "gguf");
    CHECK(m.has_llm);
    CHECK(m.arch.model_type == "llama");
    CHECK(m.arch.n_layers == 2);
    CHECK(m.arch.n_heads == 4);
    CHECK(m.arch.n_kv_heads == 2);
    CHECK(m.arch.head_dim == 64);
    CHECK(m.arch.max_context_tokens == 4096);
    CHECK(m.arch.vocab_size == 1024);
    // token_embd 256×1024 Q4_K = 147,456 B; per layer 2 norms (2 × 1,024 B) + q, o (256×256 → 36,864 B each) + k, v
    // (256×128 → 18,432 B each) + gate, up, down (256×512 → 73,728 B each); output_norm 1,024; output Q6_K 215,040.
    const uint64_t layer = 2 * 1024 + 2 * 36864 + 2 * 18432 + 3 * 73728;
    CHECK(m.bytes == 147456 + 2 * layer + 1024 + 215040);
    CHECK(m.params == 256ull * 1024 * 2 + 2 * (2 * 256 + 2 * 65536 + 2 * 32768 + 3 * 131072) + 256);
    CHECK(m.n_tensors == 1 + 2 * 9 + 2);
    CHECK(m.dtypes.at("Q4_K").n_tensors == 1 + 2 * 7);
    CHECK(m.dtypes.at("Q6_K").n_tensors == 1);
    CHECK(m.dtypes.at("F32").n_tensors == 5);
    REQUIRE(m.gguf_quants.size() == 1);
    CHECK(m.gguf_quants[0].file_type == "Q4_K_M");
    CHECK(m.gguf_quants[0].dominant_type == "Q4_K");
    CHECK(m.gguf_file == "m.Q4_K_M.gguf");
    CHECK(m.gguf_duplicated_bytes == 0);
}

TEST_CASE("the default quantization is the smallest Q4_K_M, and gguf_file picks another by file or type",
          "[model][gguf]") {
    RepoSnapshot s = repo();
    add_file(s, "m.Q8_0.gguf", build_llama_gguf(quant(7, 8)));
    add_file(s, "m.Q4_K_M.gguf", build_llama_gguf(quant(15, 12)));
    add_file(s, "m.Q2_K.gguf", build_llama_gguf(quant(10, 10)));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    CHECK(m.gguf_quants.size() == 3);
    CHECK(m.gguf_file == "m.Q4_K_M.gguf");
    CHECK(m.gguf_quants[1].selected);
    CHECK(analyze(s, "m.Q8_0.gguf").gguf_file == "m.Q8_0.gguf");
    CHECK(analyze(s, "q2_k").gguf_file == "m.Q2_K.gguf");
    CHECK(analyze(s, "Q8_0").dtypes.count("Q8_0") == 1);
    Model bad = analyze(s, "Q5_K_M");
    CHECK(bad.error.code == ErrorCode::invalid_argument);
    CHECK(bad.error.message.find("m.Q2_K.gguf (Q2_K)") != std::string::npos);
}

TEST_CASE("without a Q4_K_M the first GGUF file in the listing is used and a note says so", "[model][gguf]") {
    RepoSnapshot s = repo();
    add_file(s, "m.Q8_0.gguf", build_llama_gguf(quant(7, 8)));
    add_file(s, "m.Q2_K.gguf", build_llama_gguf(quant(10, 10)));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    CHECK(m.gguf_file == "m.Q8_0.gguf");
    bool noted = false;
    for (const auto& n : m.notes) noted |= n.find("no Q4_K_M file") != std::string::npos;
    CHECK(noted);
}

TEST_CASE("a split GGUF is one quantization whose hyperparameters come from its first shard", "[model][gguf]") {
    RepoSnapshot s = repo();
    LlamaGguf first = quant(15, 12), second = quant(15, 12);
    first.split_no = 0, first.split_count = 2;
    first.only = {"token_embd.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight"};
    second.split_no = 1, second.split_count = 2;
    second.architecture_keys = false;  // later shards may lack them
    second.only = {"blk.1.attn_q.weight", "output_norm.weight", "output.weight"};
    add_file(s, "m-Q4_K_M-00002-of-00002.gguf", build_llama_gguf(second));
    add_file(s, "m-Q4_K_M-00001-of-00002.gguf", build_llama_gguf(first));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    REQUIRE(m.gguf_quants.size() == 1);
    CHECK(m.gguf_quants[0].files.size() == 2);
    CHECK(m.gguf_file == "m-Q4_K_M-00001-of-00002.gguf");
    CHECK(m.arch.n_layers == 2);
    CHECK(m.n_tensors == 6);
    CHECK(m.n_files == 2);
}

TEST_CASE("an mmproj file is the projector component, not a quantization", "[model][gguf]") {
    RepoSnapshot s = repo();
    add_file(s, "m.Q4_K_M.gguf", build_llama_gguf(quant(15, 12)));
    LlamaGguf proj = quant(1, 1);
    proj.arch = "clip";
    proj.only = {"token_embd.weight"};
    add_file(s, "mmproj-m-f16.gguf", build_llama_gguf(proj));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    CHECK(m.gguf_quants.size() == 1);
    CHECK(m.gguf_projector == "mmproj-m-f16.gguf");
    REQUIRE(m.components.size() == 2);
    CHECK(m.components[1].name == "projector");
    CHECK(m.components[1].bytes == 256ull * 1024 * 2);
}

TEST_CASE("tied embeddings are duplicated for the output layer as llama.cpp loads them", "[model][gguf]") {
    RepoSnapshot s = repo();
    LlamaGguf g = quant(15, 12);
    g.tied = true;
    add_file(s, "m.gguf", build_llama_gguf(g));
    Model m = analyze(s);
    REQUIRE_FALSE(m.error);
    CHECK(m.gguf_duplicated_bytes == 147456);
}

TEST_CASE("a GGUF header missing from the snapshot or malformed is an error with its code",
          "[model][gguf][malformed]") {
    RepoSnapshot s = repo();
    BuiltGguf g = build_llama_gguf(quant(15, 12));
    s.files.push_back({"m.gguf", g.size});
    CHECK(analyze(s).error.code == ErrorCode::bad_response);
    s.gguf_prefixes["m.gguf"] = g.header.substr(0, 100);
    CHECK(analyze(s).error.code == ErrorCode::bad_response);
    s.gguf_prefixes["m.gguf"] = "GGML" + g.header.substr(4);
    CHECK(analyze(s).error.code == ErrorCode::gguf_bad_magic);
    LlamaGguf no_arch = quant(15, 12);
    no_arch.architecture_keys = false;
    s.gguf_prefixes["m.gguf"] = build_llama_gguf(no_arch).header;
    CHECK(analyze(s).error.code == ErrorCode::gguf_metadata_invalid);
}

TEST_CASE("gguf_file on a safetensors repo is invalid_argument", "[model][gguf][malformed]") {
    RepoSnapshot s = repo();
    s.files.push_back({"model.safetensors", 100});
    CHECK(analyze(s, "Q4_K_M").error.code == ErrorCode::invalid_argument);
}

TEST_CASE("a snapshot keeps GGUF prefixes byte for byte through its JSON (base64)", "[snapshot][gguf]") {
    RepoSnapshot s = repo();
    add_file(s, "m.gguf", build_llama_gguf(quant(15, 12)));
    s.gguf_prefixes["odd.gguf"] = std::string("\0\xff\x80", 3);
    SnapshotResult back = snapshot_from_json(snapshot_to_json(s));
    REQUIRE_FALSE(back.error);
    CHECK(back.snapshot.gguf_prefixes == s.gguf_prefixes);
    for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        std::string out;
        REQUIRE(base64_decode(base64_encode(text), out));
        CHECK(out == text);
    }
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    std::string out;
    CHECK_FALSE(base64_decode("Zm=9", out));
    CHECK_FALSE(base64_decode("Zm9$", out));
    CHECK_FALSE(base64_decode("Zm9", out));
}

// ---- safetensors repos: sums that must not wrap, layer counts from the tensor names ----------------------

namespace {

// A sharded safetensors repo: one U8 tensor of `data_bytes` per shard, sizes that match the headers.
RepoSnapshot sharded_repo(int n_shards, uint64_t data_bytes, const std::string& config) {
    RepoSnapshot s;
    s.repo_id = "acme/huge";
    s.sha = "0123456789abcdef0123456789abcdef01234567";
    s.texts["config.json"] = config;
    std::string map;
    for (int k = 1; k <= n_shards; ++k) {
        const std::string name =
            "model-0000" + std::to_string(k) + "-of-0000" + std::to_string(n_shards) + ".safetensors";
        const std::string h = R"({"w)" + std::to_string(k) + R"(":{"dtype":"U8","shape":[)" +
                              std::to_string(data_bytes) + R"(],"data_offsets":[0,)" + std::to_string(data_bytes) +
                              "]}}";
        s.headers[name] = h;
        s.files.push_back({name, 8 + h.size() + data_bytes});
        map += std::string(map.empty() ? "" : ",") + "\"w" + std::to_string(k) + "\":\"" + name + "\"";
    }
    s.texts["model.safetensors.index.json"] = R"({"metadata":{},"weight_map":{)" + map + "}}";
    s.files.push_back({"model.safetensors.index.json", s.texts["model.safetensors.index.json"].size()});
    s.files.push_back({"config.json", config.size()});
    return s;
}

const char* kLlamaConfig =
    R"({"model_type":"llama","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,)"
    R"("max_position_embeddings":256,"vocab_size":100})";

// A single-file llama with `layers` decoder layers named as transformers names them.
RepoSnapshot llama_repo(const std::string& config, int layers) {
    RepoSnapshot s;
    s.repo_id = "acme/llama";
    s.sha = "0123456789abcdef0123456789abcdef01234567";
    s.texts["config.json"] = config;
    std::string h = "{";
    uint64_t at = 0;
    auto add = [&](const std::string& name, uint64_t rows, uint64_t cols) {
        const uint64_t bytes = rows * cols * 2;
        h += std::string(h.size() > 1 ? "," : "") + "\"" + name + R"(":{"dtype":"BF16","shape":[)" +
             std::to_string(rows) + "," + std::to_string(cols) + R"(],"data_offsets":[)" + std::to_string(at) + "," +
             std::to_string(at + bytes) + "]}";
        at += bytes;
    };
    add("model.embed_tokens.weight", 100, 64);
    for (int i = 0; i < layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".self_attn.";
        add(p + "q_proj.weight", 64, 64);  // 4 heads × 16
        add(p + "k_proj.weight", 32, 64);  // 2 KV heads × 16
        add(p + "v_proj.weight", 32, 64);
    }
    h += "}";
    s.headers["model.safetensors"] = h;
    s.files.push_back({"model.safetensors", 8 + h.size() + at});
    s.files.push_back({"config.json", config.size()});
    return s;
}

}  // namespace

TEST_CASE("9 shards of 2^61 bytes are sum_overflow, not a wrapped small total", "[model][overflow]") {
    // 2^61 - 1 data bytes per shard: the most a U8 tensor may hold (its size in bits must fit 64 bits).
    Model m = analyze(sharded_repo(9, (1ull << 61) - 1, kLlamaConfig));
    CHECK(m.error.code == ErrorCode::sum_overflow);
    CHECK_THAT(m.error.message, Catch::Contains("2^64"));
}

TEST_CASE("7 shards of 2^61 bytes still add up exactly", "[model][overflow]") {
    Model m = analyze(sharded_repo(7, (1ull << 61) - 1, kLlamaConfig));
    REQUIRE_FALSE(m.error);
    CHECK(m.bytes == 7 * ((1ull << 61) - 1));
}

TEST_CASE("a llama config without num_hidden_layers takes the layer count from the tensor names and says so",
          "[model][architecture]") {
    std::string config = kLlamaConfig;
    config.replace(config.find("\"num_hidden_layers\":2"), 21, "\"num_hidden_layers\":null");
    Model m = analyze(llama_repo(config, 3));
    REQUIRE_FALSE(m.error);
    CHECK(m.arch.n_layers == 3);
    CHECK(m.has_llm);
    CHECK(m.arch.layers.size() == 3);
    REQUIRE(m.warnings.size() == 1);
    CHECK_THAT(m.warnings[0], Catch::Contains("num_hidden_layers is null") && Catch::Contains("3 layers counted"));
}

TEST_CASE("a llama config without layer or head counts reads the heads from the Q/K projection shapes",
          "[model][architecture]") {
    const std::string config =
        R"({"model_type":"llama","hidden_size":64,"head_dim":16,"max_position_embeddings":256,"vocab_size":100})";
    Model m = analyze(llama_repo(config, 2));
    REQUIRE_FALSE(m.error);
    CHECK(m.arch.n_layers == 2);
    CHECK(m.arch.n_heads == 4);
    CHECK(m.arch.n_kv_heads == 2);
    CHECK(m.arch.layers[0].n_head_kv == 2);
}

TEST_CASE("a llama config without a layer count and no layer tensors is config_invalid naming the key",
          "[model][architecture][malformed]") {
    std::string config = kLlamaConfig;
    config.replace(config.find("\"num_hidden_layers\":2"), 21, "\"num_hidden_layers\":true");
    Model m = analyze(llama_repo(config, 0));
    CHECK(m.error.code == ErrorCode::config_invalid);
    CHECK_THAT(m.error.message, Catch::Contains("num_hidden_layers is the boolean true"));
}

TEST_CASE("layer indexes with a gap are not read as a layer count", "[model][architecture][malformed]") {
    std::string config = kLlamaConfig;
    config.replace(config.find("\"num_hidden_layers\":2"), 21, "\"num_hidden_layers\":\"2\"");
    RepoSnapshot s = llama_repo(config, 2);
    // Rename layer 1 to layer 5: layers 1–4 are missing.
    std::string& h = s.headers["model.safetensors"];
    for (size_t at = h.find("model.layers.1."); at != std::string::npos; at = h.find("model.layers.1."))
        h.replace(at, 15, "model.layers.5.");
    Model m = analyze(s);
    CHECK(m.error.code == ErrorCode::config_invalid);
    CHECK_THAT(m.error.message, Catch::Contains("num_hidden_layers is the string \"2\""));
}

TEST_CASE("Linear matrices are flagged for a Linear-only target, the embeddings are not", "[model][fp8]") {
    Model m = analyze(llama_repo(kLlamaConfig, 2));
    REQUIRE_FALSE(m.error);
    int linear = 0;
    for (const auto& t : m.tensors) linear += (t.flags & kLinear) ? 1 : 0;
    CHECK(linear == 6);  // q, k, v of two layers; embed_tokens is not a Linear
    Precision fp8{};
    REQUIRE(parse_precision("fp8", fp8));
    // q 64×64 + k 32×64 + v 32×64 = 8,192 params per layer at 1 B, + 4 B scale per tensor; embeddings 100×64 × 2 B.
    CHECK(m.component_bytes_at[static_cast<size_t>(fp8)][0] == 2 * 8192 + 6 * 4 + 100 * 64 * 2);
}

TEST_CASE("the root component's class is config.json's _class_name, else its first architecture, else none",
          "[model][architecture]") {
    // analyze reads config.json's class from parse_architecture's own parse (Architecture::class_name), not a
    // second one: the rule must stay the one a component folder's config gets.
    auto class_with = [](const std::string& members) {
        std::string config = kLlamaConfig;
        config.insert(1, members);
        Model m = analyze(sharded_repo(2, 64, config));
        REQUIRE_FALSE(m.error);
        REQUIRE(m.components.size() == 1);
        CHECK(m.arch.class_name == m.components[0].class_name);
        return m.components[0].class_name;
    };
    CHECK(class_with(R"("architectures": ["LlamaForCausalLM"], )") == "LlamaForCausalLM");
    CHECK(class_with(R"("_class_name": "Custom", "architectures": ["LlamaForCausalLM"], )") == "Custom");
    CHECK(class_with(R"("_class_name": 7, "architectures": ["LlamaForCausalLM", "Other"], )") == "LlamaForCausalLM");
    CHECK(class_with(R"("architectures": [7, "LlamaForCausalLM"], )").empty());
    CHECK(class_with(R"("architectures": [], )").empty());
    CHECK(class_with("").empty());
}

TEST_CASE("a component folder's class follows the root's rule, the last of a repeated key counting",
          "[model][diffusers]") {
    // A component's config.json is read without a DOM (ConfigFactsCache's SAX reader); the rule and the handling
    // of repeated keys must be what json::parse gives.
    auto vae_class = [](const std::string& config) {
        RepoSnapshot s;
        s.repo_id = "acme/pipe";
        s.sha = "0123456789abcdef0123456789abcdef01234567";
        s.texts["model_index.json"] =
            R"({"_class_name":"StableDiffusionPipeline","vae":["diffusers","AutoencoderKL"]})";
        s.texts["vae/config.json"] = config;
        const std::string h = R"({"w":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})";
        s.headers["vae/diffusion_pytorch_model.safetensors"] = h;
        s.files = {{"model_index.json", s.texts["model_index.json"].size()},
                   {"vae/config.json", config.size()},
                   {"vae/diffusion_pytorch_model.safetensors", 8 + h.size() + 8}};
        Model m = analyze(s);
        REQUIRE_FALSE(m.error);
        for (const auto& c : m.components)
            if (c.name == "vae") return c.class_name;
        FAIL("no vae component");
        return std::string();
    };
    CHECK(vae_class(R"({"_class_name":"AutoencoderKL"})") == "AutoencoderKL");
    CHECK(vae_class(R"({"architectures":["A","B"]})") == "A");
    CHECK(vae_class(R"({"_class_name":7,"architectures":["A"]})") == "A");
    CHECK(vae_class(R"({"_class_name":"X","x":{"_class_name":"Inner"},"architectures":["A"]})") == "X");
    CHECK(vae_class(R"({"_class_name":"X","_class_name":{"a":1},"architectures":["A"]})") == "A");
    CHECK(vae_class(R"({"_class_name":7,"_class_name":"Y"})") == "Y");
    CHECK(vae_class(R"({"architectures":["A"],"architectures":[]})").empty());
    CHECK(vae_class(R"({"architectures":[["A"],"B"]})").empty());
    CHECK(vae_class(R"({"architectures":[7,"A"]})").empty());
    CHECK(vae_class(R"({"n":[{"architectures":["Deep"]}]})").empty());
    CHECK(vae_class(R"(["AutoencoderKL"])").empty());
    CHECK(vae_class(R"({"_class_name":"AutoencoderKL"} trailing)").empty());
    CHECK(vae_class(R"({"_class_name":"AutoencoderKL")").empty());
}
