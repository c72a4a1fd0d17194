// The SAX readers of core/estimator/json_sax.cpp against the DOM rules they replace.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "estimator/json_sax.hpp"
#include "hub/hub_protocol.hpp"

using namespace vram;

TEST_CASE("the model info read without a DOM: the DOM's values, a repeated key counting as its last",
          "[json_sax][hub]") {
    const char* texts[] = {
        R"({"id":"acme/m","sha":"0123456789abcdef0123456789abcdef01234567","gated":false,"library_name":"transformers","pipeline_tag":"text-generation"})",
        R"({"sha":"a","sha":"b","id":"x/y","id":7,"gated":"auto","library_name":null})",
        R"({"gated":true})",
        R"({"gated":null,"pipeline_tag":["a"]})",
        R"({"gated":1,"sha":{"sha":"inner"}})",
        R"({"gated":"manual","gated":false})",
        R"({"nested":{"sha":"no","id":"no","gated":true}})",
        R"({})",
        R"([{"sha":"a"}])",
        R"("text")",
        R"({"sha":"a",})",
        R"({"sha":"a"} trailing)",
        R"({"sha":"\u00e9\n"})",
        R"({"id":1e999})",
        "",
    };
    for (const char* text : texts) {
        CAPTURE(text);
        const ModelInfoFacts got = read_model_info(text);
        // The rule the Hub client applied to json::parse's DOM before (hub_client.cpp).
        nlohmann::json dom;
        bool valid = true;
        try {
            dom = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception&) {
            valid = false;
        }
        REQUIRE(got.valid == valid);
        if (!valid) continue;
        REQUIRE(got.object == dom.is_object());
        if (!dom.is_object()) continue;
        CHECK(got.sha == hub_protocol::str_or_empty(dom, "sha"));
        CHECK(got.id == hub_protocol::str_or_empty(dom, "id"));
        CHECK(got.library_name == hub_protocol::str_or_empty(dom, "library_name"));
        CHECK(got.pipeline_tag == hub_protocol::str_or_empty(dom, "pipeline_tag"));
        CHECK(got.has_gated == dom.contains("gated"));
        if (dom.contains("gated"))
            CHECK(got.gated == (dom["gated"].is_string() ? dom["gated"].get<std::string>()
                                                         : (dom["gated"] == true ? "true" : "false")));
    }
    // Spelled out, so that the oracle above is not the only witness.
    const ModelInfoFacts twice = read_model_info(R"({"sha":"a","sha":"b","id":"x/y","id":7,"gated":"auto"})");
    CHECK(twice.sha == "b");
    CHECK(twice.id.empty());
    CHECK(twice.gated == "auto");
    CHECK(read_model_info(R"({"gated":true})").gated == "true");
    CHECK(read_model_info(R"({"gated":1})").gated == "false");
    CHECK_FALSE(read_model_info(R"({})").has_gated);
}
