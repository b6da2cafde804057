// Pathological sizes of otherwise valid input (issue 15, item 4): what is bounded where it is read, and what is
// read in linear time and without recursion however large it is.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "io/checkpoint_file.hpp"
#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_file.hpp"
#include "io/model_reader.hpp"
#include "io/model_text.hpp"
#include "io/output_path.hpp"
#include "partition/error.hpp"
#include "partition/rank_estimate.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {
namespace {

/// One population of 10 neurons after `parameters` (lines of [parameters]), then `rest` (more tables).
std::string model(const std::string& parameters, const std::string& rest = "") {
  return "[parameters]\n" + parameters + "[simulation]\ndt = 0.1\n[[populations]]\nname = \"E\"\n" +
         "model = \"iaf_psc_delta\"\nsize = 10\n" + rest;
}

/// The message of the input_error that reading `text` throws, or "" if it throws none.
std::string error_of(const std::string& text, const model_overrides& overrides = {}) {
  try {
    parse_model_text(text, "sizes.toml", overrides);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

/// "p<i>", built by append: "p" + std::to_string(i) trips a false -Wrestrict in g++ 12 at -O3 (GCC bug 105329).
std::string p(int i) {
  std::string name(1, 'p');
  return name.append(std::to_string(i));
}

double parameter(const model_file& m, const std::string& name) {
  for (const auto& [key, value] : m.parameters)
    if (key == name) return value;
  ADD_FAILURE() << "no parameter " << name;
  return 0;
}

TEST(model_sizes, a_chain_of_parameters_as_long_as_a_file_holds_resolves_in_either_order) {
  // 10^5 parameters, each naming the next: a walk as deep as the chain (it was recursive, and crashed written
  // in reverse order; each lookup walked the list, 10^5 x 10^5).
  constexpr int n = 100000;
  std::string forward = "p0 = 1\n", reverse;
  for (int i = 1; i < n; ++i) forward += p(i) + " = \"" + p(i - 1) + " + 1\"\n";
  for (int i = n - 1; i > 0; --i) reverse += p(i) + " = \"" + p(i - 1) + " + 1\"\n";
  reverse += "p0 = 1\n";
  for (const auto& text : {forward, reverse}) {
    const model_file m = parse_model_text(model(text), "sizes.toml");
    EXPECT_EQ(parameter(m, p(n - 1)), n);
    EXPECT_EQ(m.parameters.front().first, text == forward ? "p0" : p(n - 1));  // file order
  }
}

TEST(model_sizes, a_long_cycle_and_a_long_list_of_names_are_shortened_in_messages) {
  constexpr int n = 10000;
  std::string cycle;
  for (int i = 0; i < n; ++i) cycle += p(i) + " = \"" + p((i + 1) % n) + "\"\n";
  const std::string message = error_of(model(cycle));
  EXPECT_NE(message.find("circular definition: p0 -> p1 -> "), std::string::npos) << message;
  EXPECT_NE(message.find("... (10000 parameters) -> "), std::string::npos) << message;
  EXPECT_NE(message.find("p9999 -> p0; a parameter cannot depend on itself"), std::string::npos) << message;
  EXPECT_LT(message.size(), 400u);

  std::string many;
  for (int i = 0; i < n; ++i) many += p(i) + " = 1\n";
  const std::string unknown = error_of(model(many + "x = \"nope + 1\"\n"));
  EXPECT_NE(unknown.find("unknown name 'nope'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("parameters: p0, p1, "), std::string::npos) << unknown;
  EXPECT_NE(unknown.find(", ... (10001 in all)"), std::string::npos) << unknown;
  EXPECT_LT(unknown.size(), 400u);
}

TEST(model_sizes, a_long_value_is_shown_by_its_start_end_and_length) {
  const std::string type(1000000, 'x');
  const std::string message =
      error_of(model("", "[[inputs]]\ntarget = \"E\"\ntype = \"" + type + "\"\namplitude = 1.0\n"));
  EXPECT_NE(message.find("inputs[0].type: unknown input type \"xxxx"), std::string::npos) << message;
  EXPECT_NE(message.find("xxx...xxx"), std::string::npos) << message;
  EXPECT_NE(message.find("xxx\" (1000000 characters); allowed: \"poisson\" or \"dc\""), std::string::npos) << message;
  EXPECT_LT(message.size(), 400u);
  EXPECT_EQ(excerpt("short"), "short");
  EXPECT_EQ(in_quotes("E"), "\"E\"");
  EXPECT_EQ(in_quotes(std::string(max_shown_characters, 'a'), '\''),
            "'" + std::string(max_shown_characters, 'a') + "'");
  EXPECT_EQ(listing({"a", "b"}), "a, b");
}

TEST(model_sizes, the_file_is_at_most_64_mib) {
  const std::string text = model("") + "#" + std::string(max_model_file_bytes, 'x') + "\n";
  const std::string message = error_of(text);
  EXPECT_NE(message.find("sizes.toml: the file holds " + std::to_string(text.size()) +
                         " bytes or more; allowed: "
                         "at most 67108864 bytes (64 MiB)"),
            std::string::npos)
      << message.substr(0, 300);
}

TEST(model_sizes, nesting_is_counted_before_the_parser_sees_it) {
  struct depth_case {
    std::string text;
    std::size_t depth;  ///< the deepest point: beyond a limit one lower, within this one
  };
  const std::vector<depth_case> cases = {
      {"a = 1\n", 1},
      {"a.b.c = 1\n", 3},
      {"a . b . c = 1\n", 3},
      {"\"a.b.c\" = 1\n", 1},  // one quoted key
      {"'a'.\"b\" = 1\n", 2},
      {"[a.b]\nc.d = 1\n", 4},
      {"[[a.b]]\nc = 1\n", 4},  // an array of tables is a level
      {"a = [[1], [[2]]]\n", 4},
      {"a = { b.c = { d = [1] } }\n", 5},
      {"a = [{ b = 1 }]\n", 3},
      {"a = \"[[[[{{{{ . . . \" # [[[[ a.b.c.d.e\n", 1},  // strings and comments do not count
      {"a = '''\n[[[[x.y.z\n''' \nb = 1.5e3\n", 1},       // a multi-line string, a float
      {"a = 1979-05-27T07:32:00.999Z\n", 1},              // a date-time with a fraction
      {"x = 1 # [\n  [b.c]\nd = 1\n", 3},                 // a header after space on its line
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_FALSE(nesting_beyond(c.text, c.depth));
    const auto beyond = nesting_beyond(c.text, c.depth - 1);
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->depth, c.depth);
  }
  std::string dotted = "x";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  const auto where = nesting_beyond("a = 1\n" + dotted + " = 1\n", 64);
  ASSERT_TRUE(where);
  EXPECT_EQ(where->line, 2u);
  EXPECT_EQ(where->column, dotted.size() + 2);  // at the '='
  const std::string message = error_of(model("") + "[parameters." + dotted + "]\n");
  EXPECT_NE(message.find("sizes.toml:8:1: tables, arrays and dotted keys nest 100002 levels deep here; allowed: at "
                         "most 64 levels"),
            std::string::npos)
      << message.substr(0, 300);
}

TEST(model_sizes, counts_of_populations_projections_and_inputs_are_bounded_where_they_are_read) {
  std::string populations;
  for (std::size_t i = 0; i < model_detail::max_populations; ++i)
    populations += "[[populations]]\nname = \"P" + std::to_string(i) + "\"\nmodel = \"iaf_psc_delta\"\nsize = 1\n";
  EXPECT_NE(error_of(model("", populations))
                .find("sizes.toml: populations[16384]: makes 16385 populations; "
                      "allowed: at most 16384 populations in a model"),
            std::string::npos);

  std::string targets = "[";
  for (std::size_t i = 0; i < model_detail::max_projections / 4; ++i) targets += "\"E\",";
  targets.back() = ']';
  std::string projections;
  for (int i = 0; i < 5; ++i)
    projections +=
        "[[projections]]\nsource = \"E\"\ntarget = " + targets + "\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\n";
  const std::string message = error_of(model("", projections));
  EXPECT_NE(message.find("projections[4].target[0]: makes 262145 projections; allowed: at most 262144 projections "
                         "in a model (a list of targets counts one each)"),
            std::string::npos)
      << message;
  std::string names = "\"E\"";
  for (std::size_t i = 0; i < model_detail::max_inputs; ++i) names += ", \"E\"";
  const std::string inputs =
      error_of(model("", "[[inputs]]\ntarget = [" + names + "]\ntype = \"dc\"\namplitude = 1.0\n"));
  EXPECT_NE(inputs.find("inputs[0].target: a list of 65537 names; allowed: at most 65536 names"), std::string::npos)
      << inputs;
}

TEST(model_sizes, poisson_inputs_draw_at_most_1e7_spikes_per_step_in_all) {
  std::string inputs;
  for (int i = 0; i < 101; ++i) inputs += "[[inputs]]\ntarget = \"E\"\ntype = \"poisson\"\nrate = 1e9\nweight = 0.1\n";
  const std::string message = error_of(model("", inputs));
  EXPECT_NE(message.find("inputs[100].rate: the Poisson inputs up to here draw 10100000 spikes per step of dt = "
                         "0.1 ms"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("allowed: at most 1e+07 in all"), std::string::npos) << message;
  inputs.resize(inputs.size() * 100 / 101);  // 100 inputs: 10^7 exactly
  EXPECT_EQ(error_of(model("", inputs)), "");
}

TEST(model_sizes, paths_handed_to_mpi_io_are_at_most_235_characters) {
  const std::string dir(235 - 18, 'd');  // + "/spikes.h5.partial"
  EXPECT_EQ(mpi_io_path_problem("--out", dir, dir + "/spikes.h5.partial", "the spike file"), "");
  const std::string longer = dir + "d";
  const std::string message = mpi_io_path_problem("--out", longer, longer + "/spikes.h5.partial", "the spike file");
  EXPECT_NE(message.find("--out ddd"), std::string::npos) << message;
  EXPECT_NE(message.find("(218 characters): the spike file would be 'ddd"), std::string::npos) << message;
  EXPECT_NE(message.find("/spikes.h5.partial' (236 characters); allowed: at most 235 characters"), std::string::npos)
      << message;
  EXPECT_NE(message.find("so --out of at most 217 characters"), std::string::npos) << message;
}

TEST(model_sizes, the_longest_out_and_checkpoint_dir_in_the_help_follow_from_the_names_written) {
  // Each name's length beyond its directory's ("o" or "c", one character), taken from the limit.
  auto longest_dir = [](const std::filesystem::path& file) { return max_mpi_io_path - (file.string().size() - 1); };
  EXPECT_EQ(longest_dir(partial_path_of(std::filesystem::path("o") / "spikes.h5")), 217u);
  EXPECT_EQ(longest_dir(longest_partial_checkpoint_path("c")), 198u);
  EXPECT_EQ(longest_dir(longest_partial_checkpoint_path(std::filesystem::path("o") / "checkpoints")), 186u);
}

/// A source population of 10 neurons projecting `projections` times into a population of `target_size`.
network_spec fan_out(int projections, std::uint64_t target_size) {
  network_spec net;
  net.populations.resize(2);
  net.populations[0].name = "S", net.populations[0].size = 10;
  net.populations[1].name = "T", net.populations[1].size = target_size;
  projection_spec p;
  p.source = 0, p.target = 1, p.rule = connection_rule::fixed_indegree, p.indegree = 1;
  p.weight = value_distribution::constant(1.0), p.delay = value_distribution::constant(1.0);
  net.projections.assign(static_cast<std::size_t>(projections), p);
  return net;
}

TEST(model_sizes, the_layout_estimate_refuses_the_blocks_the_build_refuses_before_computing_them) {
  // As many blocks of one source on a rank as the build allows are estimated; one more is refused, as the build
  // refuses it, and so are 20 projections into 2 x 10^9 neurons on one rank (610,360 blocks of 65,536 targets),
  // before a law is computed for each.
  EXPECT_GT(estimate_rank(fan_out(static_cast<int>(max_source_classes), 1), 1, 0, 1).rows, 0);
  for (const auto& [net, blocks] : {std::pair(fan_out(static_cast<int>(max_source_classes) + 1, 1), "65536"),
                                    std::pair(fan_out(20, 2000000000), "610360")}) {
    try {
      estimate_rank(net, 1, 0, 1);
      ADD_FAILURE() << "no error for " << blocks << " blocks";
    } catch (const capacity_error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("population S projects into ") + blocks + " blocks"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("allowed: at most 65535"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace hetspike
