// Unit tests of core/estimator/gguf.* — the GGUF header parser, the ggml type table, the llama_ftype table,
// the need-more-bytes path, and every malformed case with its own error code.
#include <catch2/catch.hpp>

#include "estimator/gguf.hpp"
#include "gguf_writer.hpp"

using namespace vram;
using vram::test::GgufWriter;

namespace {

// A valid two-tensor file: Q4_K [256, 4] (4 blocks × 144 B = 576 B) then F32 [8] at offset 576.
std::string small_file(bool big_endian = false, uint32_t version = 3) {
    GgufWriter w(big_endian);
    w.header(2, 3, version);
    w.kv_str("general.architecture", "llama");
    w.kv_u32("llama.block_count", 1);
    w.kv_u32_array("llama.attention.head_count_kv", {8});
    w.tensor("blk.0.attn_q.weight", {256, 4}, 12, 0);
    w.tensor("output_norm.weight", {8}, 0, 576);
    return w.pad().bytes;
}

ErrorCode code_of(const std::string& bytes, uint64_t file_size = 0) {
    return parse_gguf(bytes, "m.gguf", file_size).error.code;
}

}  // namespace

TEST_CASE("every metadata value type is read with its value", "[gguf]") {
    GgufWriter w;
    w.header(0, 13);
    w.key("u8", 0).u8(200);
    w.key("i8", 1).u8(0xFE);  // -2
    w.key("u16", 2).u16(65535);
    w.key("i16", 3).u16(0xFFFD);  // -3
    w.key("u32", 4).u32(4000000000u);
    w.key("i32", 5).u32(0xFFFFFFFBu);  // -5
    w.key("f32", 6).f32(9.999999974752427e-7f);
    w.key("bool", 7).u8(1);
    w.key("string", 8).str("LLaMA v2");
    w.key("array", 9).u32(5).u64(3).u32(0).u32(8).u32(0xFFFFFFFFu);  // INT32 [0, 8, -1]
    w.key("u64", 10).u64(18446744073709551615ull);
    w.key("i64", 11).u64(static_cast<uint64_t>(-7));
    w.key("f64", 12).f64(0.5);
    GgufFile f = parse_gguf(w.bytes, "m.gguf", 0);
    REQUIRE_FALSE(f.error);
    REQUIRE_FALSE(f.needs_more());
    CHECK(f.version == 3);
    CHECK(f.metadata.size() == 13);
    CHECK(f.find("u8")->u == 200);
    CHECK(f.find("i8")->i == -2);
    CHECK(f.find("u16")->u == 65535);
    CHECK(f.find("i16")->i == -3);
    CHECK(f.find("u32")->u == 4000000000u);
    CHECK(f.find("i32")->i == -5);
    CHECK(f.find("f32")->type == GgufType::f32);
    CHECK(f.find("f32")->f == Approx(1e-6));  // a float32 widened to double: the tolerance is float32's
    CHECK(f.find("bool")->type == GgufType::boolean);
    CHECK(f.find("bool")->u == 1);
    CHECK(f.find("string")->s == "LLaMA v2");
    const GgufValue* a = f.find("array");
    REQUIRE(a->is_array());
    CHECK(a->elem_type == GgufType::i32);
    REQUIRE(a->elements.size() == 3);
    CHECK(a->elements[1].i == 8);
    CHECK(a->elements[2].i == -1);
    CHECK(f.find("u64")->u == 18446744073709551615ull);
    CHECK(f.find("i64")->i == -7);
    CHECK(f.find("f64")->f == 0.5);
    CHECK(f.header_bytes == w.bytes.size());
}

TEST_CASE("nested arrays keep their element types, counts and values", "[gguf]") {
    GgufWriter w;
    w.header(0, 2);
    // ARRAY of ARRAY of UINT16: [[1, 2], [3]]
    w.key("nested", 9).u32(9).u64(2);
    w.u32(2).u64(2).u16(1).u16(2);
    w.u32(2).u64(1).u16(3);
    // ARRAY of STRING
    w.kv_str_array("tokens", {"<unk>", "<s>", "</s>"});
    GgufFile f = parse_gguf(w.bytes, "m.gguf", 0);
    REQUIRE_FALSE(f.error);
    const GgufValue* n = f.find("nested");
    REQUIRE(n->elements.size() == 2);
    CHECK(n->elem_type == GgufType::array);
    CHECK(n->elements[0].elem_type == GgufType::u16);
    CHECK(n->elements[0].n_elements == 2);
    CHECK(n->elements[0].elements[1].u == 2);
    CHECK(n->elements[1].elements[0].u == 3);
    CHECK(f.find("tokens")->elements[2].s == "</s>");
}

TEST_CASE("a tokenizer-sized array is validated and counted but its elements are not kept", "[gguf]") {
    GgufWriter w;
    w.header(0, 1);
    std::vector<std::string> tokens;
    for (int k = 0; k < 32000; ++k) tokens.push_back("t" + std::to_string(k));
    w.kv_str_array("tokenizer.ggml.tokens", tokens);
    GgufFile f = parse_gguf(w.bytes, "m.gguf", 0);
    REQUIRE_FALSE(f.error);
    CHECK(f.find("tokenizer.ggml.tokens")->n_elements == 32000);
    CHECK(f.find("tokenizer.ggml.tokens")->elements.empty());
    CHECK_FALSE(f.find("tokenizer.ggml.tokens")->kept());
}

TEST_CASE("tensor dimensions are innermost first and bytes come from the type's block", "[gguf]") {
    GgufFile f = parse_gguf(small_file(), "m.gguf", 0);
    REQUIRE_FALSE(f.error);
    REQUIRE(f.tensors.size() == 2);
    const GgufTensor& q = f.tensors[0];
    CHECK(q.ne == std::vector<uint64_t>{256, 4});
    CHECK(q.type == 12);
    CHECK(q.n_elements == 1024);
    CHECK(q.bytes == 576);  // 1024 / 256 × 144
    CHECK(f.tensors[1].offset_bytes == 576);
    CHECK(f.tensors[1].bytes == 32);
    CHECK(f.alignment_bytes == 32);
    CHECK(f.data_offset_bytes % 32 == 0);
    CHECK(f.data_offset_bytes >= f.header_bytes);
    CHECK(f.data_offset_bytes - f.header_bytes < 32);
    CHECK(f.data_bytes == 608);
}

TEST_CASE("a big-endian file reads the same values as its little-endian twin", "[gguf]") {
    GgufFile le = parse_gguf(small_file(false), "le.gguf", 0);
    GgufFile be = parse_gguf(small_file(true), "be.gguf", 0);
    REQUIRE_FALSE(be.error);
    CHECK(be.big_endian);
    CHECK_FALSE(le.big_endian);
    CHECK(be.find("llama.block_count")->u == 1);
    CHECK(be.find("llama.attention.head_count_kv")->elements[0].u == 8);
    CHECK(be.tensors[0].ne == le.tensors[0].ne);
    CHECK(be.tensors[1].offset_bytes == 576);
}

TEST_CASE("version 2 files are read like version 3", "[gguf]") {
    GgufFile f = parse_gguf(small_file(false, 2), "v2.gguf", 0);
    REQUIRE_FALSE(f.error);
    CHECK(f.version == 2);
}

TEST_CASE("general.alignment moves the start of the data section", "[gguf]") {
    GgufWriter w;
    w.header(1, 1);
    w.kv_u32("general.alignment", 64);
    w.tensor("a", {32}, 0, 0);
    GgufFile f = parse_gguf(w.bytes, "m.gguf", 0);
    REQUIRE_FALSE(f.error);
    CHECK(f.alignment_bytes == 64);
    CHECK(f.data_offset_bytes == (w.bytes.size() + 63) / 64 * 64);
}

TEST_CASE("a prefix that ends early asks for at least N more bytes, and N bytes always make progress", "[gguf][need]") {
    const std::string file = small_file();
    const uint64_t end = parse_gguf(file, "m.gguf", 0).header_bytes;  // the padding after it is not needed
    REQUIRE(end > 200);
    for (size_t cut = 0; cut < end; ++cut) {
        GgufFile f = parse_gguf(file.substr(0, cut), "m.gguf", 0);
        INFO("cut at " << cut);
        REQUIRE_FALSE(f.error);
        REQUIRE(f.needs_more());
        CHECK(f.need_bytes > cut);
        CHECK(f.need_bytes <= std::max<uint64_t>(24, end));
    }
    // Reading exactly what is asked for reaches the complete header in a few rounds.
    uint64_t have = 1;
    int rounds = 0;
    GgufFile f;
    do {
        f = parse_gguf(file.substr(0, have), "m.gguf", file.size() + 608);
        have = f.need_bytes;
        ++rounds;
    } while (f.needs_more() && rounds < 100);
    CHECK_FALSE(f.error);
    CHECK_FALSE(f.needs_more());
    CHECK(f.tensors.size() == 2);
}

TEST_CASE("a string announced past the prefix asks for its whole length", "[gguf][need]") {
    GgufWriter w;
    w.header(0, 1);
    w.key("tokenizer.chat_template", 8).u64(5000);
    GgufFile f = parse_gguf(w.bytes, "m.gguf", 0);
    REQUIRE(f.needs_more());
    CHECK(f.need_bytes == w.bytes.size() + 5000);
}

TEST_CASE("the ggml type table has ggml.c's block sizes and bytes per block", "[gguf][types]") {
    struct Row {
        uint32_t id;
        const char* name;
        uint32_t block, bytes;
    };
    // ggml d99724f: src/ggml.c type_traits, src/ggml-common.h static_asserts.
    const Row rows[] = {
        {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
        {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},      {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},
        {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},   {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
        {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
        {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},   {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},
        {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},         {25, "I16", 1, 2},
        {26, "I32", 1, 4},        {27, "I64", 1, 8},        {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
        {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},   {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},
        {40, "NVFP4", 64, 36},    {41, "Q1_0", 128, 18},    {42, "Q2_0", 64, 18},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        const GgmlTypeInfo* t = ggml_type_info(r.id);
        REQUIRE(t != nullptr);
        CHECK(std::string(t->name) == r.name);
        CHECK(t->block_elements == r.block);
        CHECK(t->block_bytes == r.bytes);
        CHECK(ggml_type_by_name(r.name) == t);
    }
    // Removed ids keep a row (for the message) but no layout; ids past the table have none.
    for (uint32_t removed : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u}) CHECK(ggml_type_info(removed)->block_elements == 0);
    CHECK(ggml_type_info(43) == nullptr);
    // Bits per weight of the K-quants as the model card explains them.
    CHECK(ggml_bytes(*ggml_type_info(10), 256) * 8.0 / 256 == 2.625);
    CHECK(ggml_bytes(*ggml_type_info(14), 256) * 8.0 / 256 == 6.5625);
}

TEST_CASE("general.file_type is the llama_ftype enum, not ggml_type", "[gguf][types]") {
    CHECK(std::string(llama_ftype_name(15)) == "Q4_K_M");
    CHECK(std::string(ggml_type_info(15)->name) == "Q8_K");
    CHECK(std::string(llama_ftype_name(32)) == "BF16");
    CHECK(std::string(ggml_type_info(30)->name) == "BF16");
    CHECK(std::string(llama_ftype_name(10)) == "Q2_K");
    CHECK(std::string(llama_ftype_name(38)) == "MXFP4_MOE");
    CHECK(llama_ftype_name(5) == nullptr);
    CHECK(llama_ftype_name(999) == nullptr);
}

// ---- malformed input: every case its own code ---------------------------------------------------------

TEST_CASE("a file that does not start with GGUF is gguf_bad_magic", "[gguf][malformed]") {
    CHECK(code_of(std::string("\x08\0\0\0\0\0\0\0{\"a\":1}", 15)) == ErrorCode::gguf_bad_magic);
}

TEST_CASE("versions other than 2 and 3 are gguf_bad_version", "[gguf][malformed]") {
    CHECK(code_of(small_file(false, 1)) == ErrorCode::gguf_bad_version);
    CHECK(code_of(small_file(false, 4)) == ErrorCode::gguf_bad_version);
    GgufFile f = parse_gguf(small_file(false, 1), "old.gguf", 0);
    CHECK(f.error.message.find("version 1") != std::string::npos);
}

TEST_CASE("a kv count above 100,000 is gguf_too_many_kv before anything is read", "[gguf][malformed]") {
    CHECK(code_of(GgufWriter().header(0, 100'001).bytes) == ErrorCode::gguf_too_many_kv);
}

TEST_CASE("a tensor count above 10,000,000 is gguf_too_many_tensors", "[gguf][malformed]") {
    CHECK(code_of(GgufWriter().header(10'000'001, 0).bytes) == ErrorCode::gguf_too_many_tensors);
}

TEST_CASE("counts whose records cannot fit in 64 MiB are gguf_prefix_too_large from the first 24 bytes",
          "[gguf][malformed]") {
    GgufFile f = parse_gguf(GgufWriter().header(3'000'000, 0).bytes, "m.gguf", 0);
    CHECK(f.error.code == ErrorCode::gguf_prefix_too_large);
    CHECK_FALSE(f.needs_more());
}

TEST_CASE("a prefix that would need more than 64 MiB is gguf_prefix_too_large", "[gguf][malformed]") {
    // Seven strings of 9.9 MB: the last one ends past 64 MiB. Only the first bytes of each are present, so the
    // parse stops at the first — to reach the limit the prefix must really hold the first six.
    GgufWriter w;
    w.header(0, 7);
    const std::string big(9'900'000, 'x');
    for (int k = 0; k < 7; ++k) w.kv_str("s" + std::to_string(k), big);
    const std::string prefix = w.bytes.substr(0, w.bytes.size() - 5'000'000);
    CHECK(code_of(prefix) == ErrorCode::gguf_prefix_too_large);
}

TEST_CASE("a string longer than 10 MB is gguf_string_too_long", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 1);
    w.key("general.name", 8).u64(10'000'001);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_string_too_long);
    GgufWriter k;
    k.header(0, 1).u64(1ull << 63);  // the key itself
    CHECK(code_of(k.bytes) == ErrorCode::gguf_string_too_long);
}

TEST_CASE("an array longer than 1,000,000 elements is gguf_array_too_long", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 1);
    w.key("tokenizer.ggml.merges", 9).u32(8).u64(1'000'001);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_array_too_long);
}

TEST_CASE("arrays nested deeper than 4 levels are gguf_array_too_deep", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 1);
    w.key("deep", 9);
    for (int k = 0; k < 4; ++k) w.u32(9).u64(1);
    w.u32(4).u64(1).u32(7);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_array_too_deep);
    GgufWriter ok;
    ok.header(0, 1).key("deep", 9);
    for (int k = 0; k < 3; ++k) ok.u32(9).u64(1);
    ok.u32(4).u64(1).u32(7);
    CHECK(code_of(ok.bytes) == ErrorCode::none);
}

TEST_CASE("a value type outside 0..12 is gguf_bad_value_type, in a kv or in an array", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 1).key("x", 13).u32(0);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_bad_value_type);
    GgufWriter a;
    a.header(0, 1).key("x", 9).u32(99).u64(1);
    CHECK(code_of(a.bytes) == ErrorCode::gguf_bad_value_type);
}

TEST_CASE("a key or tensor name given twice is gguf_duplicate_key", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 2).kv_u32("llama.block_count", 1).kv_u32("llama.block_count", 2);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_duplicate_key);
    GgufWriter t;
    t.header(2, 0).tensor("a", {8}, 0, 0).tensor("a", {8}, 0, 32);
    CHECK(code_of(t.bytes) == ErrorCode::gguf_duplicate_key);
}

TEST_CASE("general.alignment that is not a UINT32 power of two is gguf_bad_alignment", "[gguf][malformed]") {
    GgufWriter w;
    w.header(0, 1).kv_u32("general.alignment", 48);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_bad_alignment);
    GgufWriter z;
    z.header(0, 1).kv_u32("general.alignment", 0);
    CHECK(code_of(z.bytes) == ErrorCode::gguf_bad_alignment);
    GgufWriter t;
    t.header(0, 1).key("general.alignment", 10).u64(32);
    CHECK(code_of(t.bytes) == ErrorCode::gguf_bad_alignment);
}

TEST_CASE("a tensor with more than 8 dimensions is gguf_too_many_dims", "[gguf][malformed]") {
    GgufWriter w;
    w.header(1, 0).tensor("a", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, 0);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_too_many_dims);
}

TEST_CASE("dimensions whose product overflows 63 bits are gguf_dim_invalid", "[gguf][malformed]") {
    GgufWriter w;
    w.header(1, 0).tensor("a", {1ull << 32, 1ull << 32}, 0, 0);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_dim_invalid);
    GgufWriter big;
    big.header(1, 0).tensor("a", {1ull << 63}, 0, 0);
    CHECK(code_of(big.bytes) == ErrorCode::gguf_dim_invalid);
}

TEST_CASE("an unknown or removed ggml type is gguf_bad_tensor_type", "[gguf][malformed]") {
    GgufWriter w;
    w.header(1, 0).tensor("a", {32}, 99, 0);
    CHECK(code_of(w.bytes) == ErrorCode::gguf_bad_tensor_type);
    GgufWriter removed;
    removed.header(1, 0).tensor("a", {32}, 4, 0);  // Q4_2
    GgufFile f = parse_gguf(removed.bytes, "m.gguf", 0);
    CHECK(f.error.code == ErrorCode::gguf_bad_tensor_type);
    CHECK(f.error.message.find("Q4_2") != std::string::npos);
    GgufWriter q440;
    q440.header(1, 0).tensor("a", {32}, 31, 0);  // Q4_0_4_4
    CHECK(code_of(q440.bytes) == ErrorCode::gguf_bad_tensor_type);
}

TEST_CASE("ne[0] that is not a multiple of the block is gguf_dim_not_block_multiple", "[gguf][malformed]") {
    GgufWriter w;
    w.header(1, 0).tensor("a", {100, 256}, 12, 0);  // Q4_K blocks of 256 along ne[0]
    CHECK(code_of(w.bytes) == ErrorCode::gguf_dim_not_block_multiple);
    GgufWriter ok;
    ok.header(1, 0).tensor("a", {256, 100}, 12, 0);
    CHECK(code_of(ok.bytes) == ErrorCode::none);
}

TEST_CASE("a tensor offset that is not where ggml expects it is gguf_offset_invalid", "[gguf][malformed]") {
    GgufWriter gap;
    gap.header(2, 0).tensor("a", {8}, 0, 0).tensor("b", {8}, 0, 64);  // a ends at 32 (aligned): b must start there
    CHECK(code_of(gap.bytes) == ErrorCode::gguf_offset_invalid);
    GgufWriter overlap;
    overlap.header(2, 0).tensor("a", {8}, 0, 0).tensor("b", {8}, 0, 16);
    CHECK(code_of(overlap.bytes) == ErrorCode::gguf_offset_invalid);
}

TEST_CASE("tensor data past the end of the file is gguf_offset_invalid", "[gguf][malformed]") {
    const std::string f = small_file();
    CHECK(code_of(f, f.size() + 608) == ErrorCode::none);
    CHECK(code_of(f, f.size() + 607) == ErrorCode::gguf_offset_invalid);
}

TEST_CASE("a file that ends inside its header is gguf_truncated", "[gguf][malformed]") {
    const std::string f = small_file();
    GgufFile r = parse_gguf(f.substr(0, 40), "m.gguf", 40);
    CHECK(r.error.code == ErrorCode::gguf_truncated);
    CHECK_FALSE(r.needs_more());
}

TEST_CASE("every GGUF error names the file", "[gguf][malformed]") {
    GgufFile f = parse_gguf(std::string("GGML\3\0\0\0", 8), "llama-2-7b-chat.Q2_K.gguf", 0);
    CHECK(f.error.message.find("llama-2-7b-chat.Q2_K.gguf") != std::string::npos);
}
