// The JSON run report round-trips through nlohmann, is written atomically, and the console summary says what
// a user looks for at the end of a run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "io/run_report.hpp"
#include "partition/error.hpp"

namespace hetspike {
namespace {

namespace fs = std::filesystem;

class run_report_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("hetspike-report-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

run_summary example_summary() {
  run_summary s;
  s.hetspike_version = "0.1.0";
  s.model_file = "apps/models/brunel.toml";
  s.model_hash = "abc123";
  s.libraries = {{"/opt/models/libmine.so", "0123456789abcdef", {"my_neuron", "other_neuron"}}};
  s.seed = 4294967295u;  // the largest seed must survive as an unsigned number
  s.ranks = 2;
  s.dt = 0.1;
  s.t_sim = 1000;
  s.t_presim = 100;
  s.d_min = 15;
  s.d_max = 15;
  s.neurons = 12500;
  s.synapses = 15625000000ull;  // above 2^32
  s.spikes = 98765;
  s.spike_hash = "0123456789abcdef";
  s.build_seconds = 1.5;
  s.simulate_seconds = 22.25;
  s.real_time_factor = 20.227272727272727;
  s.synaptic_events = 123456789012ull;
  s.synaptic_events_per_second = 5.5e9;
  s.bytes_per_synapse = 7.75;
  s.weight_resolution = {3.7e-9, 0.1, "E", "projections[0]"};
  s.parameters = {{"order", 2500}, {"g", 5.0}, {"eta", 2.0}};
  s.recorded_spikes = 400;
  s.populations = {{"E", "iaf_psc_delta", 10000, 50, 50, 400, 8.0, 0.91, 49},
                   {"I", "iaf_psc_delta", 2500, 0, 2500, 18765, 7.506, 0.88, 2490}};
  for (int r = 0; r < 2; ++r) {
    rank_summary rs;
    rs.rank = r;
    rs.backend = "cpu (Kokkos::Serial)";
    rs.neurons = 6250;
    rs.synapses = 7812500000ull;
    rs.spikes_emitted = 40000 + static_cast<std::uint64_t>(r);
    rs.messages_sent = 80000;
    rs.bytes_sent = 640000;
    rs.rss_before_build = 100 << 20;
    rs.peak_rss = 900ull << 20;
    rs.peak_rss_after_build = 850ull << 20;
    rs.timers = {1.25, 0.75, 10.5, 3.25, 2.0 + r, 0.125, 0.5};
    s.per_rank.push_back(rs);
  }
  s.outputs = {"out/spikes.h5", "out/report.json"};
  s.resumed_from_step = 1500;
  s.end_step = 4000;
  s.stopped = true;
  s.checkpoints = {"ck/checkpoint-000000002000.h5", "ck/checkpoint-000000004000.h5"};
  return s;
}

nlohmann::json parse_file(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST_F(run_report_test, json_has_every_field_and_round_trips) {
  const run_summary s = example_summary();
  const fs::path path = dir_ / "report.json";
  write_run_report(s, path);
  const auto j = parse_file(path);

  EXPECT_EQ(j.at("hetspike_version"), s.hetspike_version);
  EXPECT_EQ(j.at("model_file"), s.model_file);
  EXPECT_EQ(j.at("model_hash"), s.model_hash);
  ASSERT_EQ(j.at("libraries").size(), 1u);
  EXPECT_EQ(j.at("libraries")[0].at("path"), "/opt/models/libmine.so");
  EXPECT_EQ(j.at("libraries")[0].at("file_hash"), "0123456789abcdef");
  EXPECT_EQ(j.at("libraries")[0].at("models"), nlohmann::json({"my_neuron", "other_neuron"}));
  ASSERT_TRUE(j.at("parameters").is_object());
  ASSERT_EQ(j.at("parameters").size(), s.parameters.size());
  for (const auto& [name, value] : s.parameters) EXPECT_EQ(j.at("parameters").at(name).get<double>(), value);
  EXPECT_EQ(j.at("seed").get<std::uint32_t>(), s.seed);
  EXPECT_EQ(j.at("ranks").get<int>(), s.ranks);
  EXPECT_EQ(j.at("dt").get<double>(), s.dt);
  EXPECT_EQ(j.at("t_sim").get<double>(), s.t_sim);
  EXPECT_EQ(j.at("t_presim").get<double>(), s.t_presim);
  EXPECT_EQ(j.at("d_min").get<std::int64_t>(), s.d_min);
  EXPECT_EQ(j.at("d_max").get<std::int64_t>(), s.d_max);
  EXPECT_EQ(j.at("neurons").get<std::uint64_t>(), s.neurons);
  EXPECT_EQ(j.at("synapses").get<std::uint64_t>(), s.synapses);
  EXPECT_EQ(j.at("spikes").get<std::uint64_t>(), s.spikes);
  EXPECT_EQ(j.at("recorded_spikes").get<std::uint64_t>(), s.recorded_spikes);
  EXPECT_EQ(j.at("spike_hash"), s.spike_hash);
  EXPECT_EQ(j.at("build_seconds").get<double>(), s.build_seconds);
  EXPECT_EQ(j.at("simulate_seconds").get<double>(), s.simulate_seconds);
  EXPECT_EQ(j.at("real_time_factor").get<double>(), s.real_time_factor);  // doubles are printed round-trip exact
  EXPECT_EQ(j.at("synaptic_events").get<std::uint64_t>(), s.synaptic_events);
  EXPECT_EQ(j.at("synaptic_events_per_second").get<double>(), s.synaptic_events_per_second);
  EXPECT_EQ(j.at("bytes_per_synapse").get<double>(), s.bytes_per_synapse);
  EXPECT_EQ(j.at("weight_resolution").at("max_relative_error").get<double>(), 3.7e-9);
  EXPECT_EQ(j.at("weight_resolution").at("weight").get<double>(), 0.1);
  EXPECT_EQ(j.at("weight_resolution").at("population"), "E");
  EXPECT_EQ(j.at("weight_resolution").at("where"), "projections[0]");
  EXPECT_EQ(j.at("outputs").get<std::vector<std::string>>(), s.outputs);

  ASSERT_TRUE(j.at("populations").is_array());
  ASSERT_EQ(j.at("populations").size(), s.populations.size());
  for (std::size_t i = 0; i < s.populations.size(); ++i) {
    const auto& p = j.at("populations")[i];
    const auto& e = s.populations[i];
    EXPECT_EQ(p.at("name"), e.name);
    EXPECT_EQ(p.at("model"), e.model);
    EXPECT_EQ(p.at("size").get<std::uint64_t>(), e.size);
    EXPECT_EQ(p.at("recorded").get<std::uint64_t>(), e.recorded);
    EXPECT_EQ(p.at("counted").get<std::uint64_t>(), e.counted);
    EXPECT_EQ(p.at("spikes").get<std::uint64_t>(), e.spikes);
    EXPECT_EQ(p.at("rate_hz").get<double>(), e.rate_hz);
    EXPECT_EQ(p.at("cv_isi").get<double>(), e.cv_isi);
    EXPECT_EQ(p.at("neurons_with_cv").get<std::uint64_t>(), e.neurons_with_cv);
    EXPECT_EQ(p.size(), 9u);
  }

  ASSERT_TRUE(j.at("per_rank").is_array());
  ASSERT_EQ(j.at("per_rank").size(), s.per_rank.size());
  for (std::size_t i = 0; i < s.per_rank.size(); ++i) {
    const auto& r = j.at("per_rank")[i];
    const auto& e = s.per_rank[i];
    EXPECT_EQ(r.at("rank").get<int>(), e.rank);
    EXPECT_EQ(r.at("backend"), e.backend);
    EXPECT_EQ(r.at("neurons").get<std::uint64_t>(), e.neurons);
    EXPECT_EQ(r.at("synapses").get<std::uint64_t>(), e.synapses);
    EXPECT_EQ(r.at("spikes_emitted").get<std::uint64_t>(), e.spikes_emitted);
    EXPECT_EQ(r.at("messages_sent").get<std::uint64_t>(), e.messages_sent);
    EXPECT_EQ(r.at("bytes_sent").get<std::uint64_t>(), e.bytes_sent);
    EXPECT_EQ(r.at("rss_before_build").get<std::uint64_t>(), e.rss_before_build);
    EXPECT_EQ(r.at("peak_rss").get<std::uint64_t>(), e.peak_rss);
    EXPECT_EQ(r.at("peak_rss_after_build").get<std::uint64_t>(), e.peak_rss_after_build);
    const auto& t = r.at("timers");
    ASSERT_TRUE(t.is_object());
    EXPECT_EQ(t.size(), 7u);
    EXPECT_EQ(t.at("input").get<double>(), e.timers.input);
    EXPECT_EQ(t.at("build").get<double>(), e.timers.build);
    EXPECT_EQ(t.at("update").get<double>(), e.timers.update);
    EXPECT_EQ(t.at("deliver").get<double>(), e.timers.deliver);
    EXPECT_EQ(t.at("communicate").get<double>(), e.timers.communicate);
    EXPECT_EQ(t.at("output").get<double>(), e.timers.output);
    EXPECT_EQ(t.at("checkpoint").get<double>(), e.timers.checkpoint);
  }
  EXPECT_EQ(j.at("resumed_from_step").get<std::int64_t>(), s.resumed_from_step);
  EXPECT_EQ(j.at("end_step").get<std::int64_t>(), s.end_step);
  EXPECT_EQ(j.at("stopped").get<bool>(), s.stopped);
  EXPECT_EQ(j.at("checkpoints").get<std::vector<std::string>>(), s.checkpoints);
  EXPECT_EQ(j.size(), 33u);  // every run_summary member, nothing else
}

TEST_F(run_report_test, write_is_atomic_and_replaces_an_old_report) {
  const fs::path path = dir_ / "report.json";
  std::ofstream(path) << "{\"old\": true}";
  write_run_report(example_summary(), path);
  EXPECT_FALSE(parse_file(path).contains("old"));
  // Only the report is left: the temporary file was renamed, not copied.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_)) files.push_back(entry.path().filename());
  EXPECT_EQ(files, std::vector<fs::path>{"report.json"});
}

TEST_F(run_report_test, unwritable_path_is_an_input_error_naming_it) {
  const fs::path path = dir_ / "missing" / "report.json";
  try {
    write_run_report(example_summary(), path);
    FAIL() << "expected input_error";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(run_report_test, empty_summary_is_valid_json) {
  const fs::path path = dir_ / "empty.json";
  write_run_report(run_summary{}, path);
  const auto j = parse_file(path);
  EXPECT_TRUE(j.at("populations").is_array());
  EXPECT_TRUE(j.at("populations").empty());
  EXPECT_TRUE(j.at("per_rank").empty());
  EXPECT_TRUE(j.at("outputs").empty());
}

TEST(run_summary_text, lists_populations_and_totals) {
  const std::string text = format_run_summary(example_summary());
  EXPECT_NE(text.find("E "), std::string::npos) << text;
  EXPECT_NE(text.find("10000"), std::string::npos) << text;
  EXPECT_NE(text.find("8.00"), std::string::npos) << text;   // rate, 2 decimals
  EXPECT_NE(text.find("7.51"), std::string::npos) << text;   // 7.506 rounded
  EXPECT_NE(text.find("0.91"), std::string::npos) << text;   // CV
  EXPECT_NE(text.find("12500"), std::string::npos) << text;  // neurons
  EXPECT_NE(text.find("15625000000"), std::string::npos) << text;
  EXPECT_NE(text.find("1.50 s"), std::string::npos) << text;
  EXPECT_NE(text.find("22.25 s"), std::string::npos) << text;
  EXPECT_NE(text.find("20.23"), std::string::npos) << text;  // real-time factor
  EXPECT_NE(text.find("5.5e+09"), std::string::npos) << text;
  EXPECT_NE(text.find("7.75"), std::string::npos) << text;
  EXPECT_NE(text.find("out/spikes.h5"), std::string::npos) << text;
  EXPECT_NE(text.find("out/report.json"), std::string::npos) << text;
  EXPECT_NE(text.find("Rates and CVs of the recorded neurons only: E first 50 of 10000\n"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace hetspike
