#include "io/run_report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "io/output_path.hpp"
#include "partition/error.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

// ordered_json keeps the keys in struct order, which reads better than alphabetical for a person.
using json = nlohmann::ordered_json;

json timers_json(const phase_timers& t) {
  return {{"build", t.build},
          {"input", t.input},
          {"update", t.update},
          {"deliver", t.deliver},
          {"communicate", t.communicate},
          {"output", t.output},
          {"checkpoint", t.checkpoint}};
}

std::string hex64(std::uint64_t v) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

json rank_json(const rank_summary& r) {
  return {{"rank", r.rank},
          {"backend", r.backend},
          {"build_threads", r.build_threads},
          {"weight", r.weight},
          {"busy_seconds", r.busy_seconds},
          {"neurons", r.neurons},
          {"synapses", r.synapses},
          {"spikes_emitted", r.spikes_emitted},
          {"messages_sent", r.messages_sent},
          {"bytes_sent", r.bytes_sent},
          {"rss_before_build", r.rss_before_build},
          {"peak_rss", r.peak_rss},
          {"peak_rss_after_build", r.peak_rss_after_build},
          {"timers", timers_json(r.timers)},
          {"rows", r.rows},
          {"routes", r.routes},
          {"memory",
           {{"synapses", r.synapse_bytes},
            {"rows", r.row_bytes},
            {"routes", r.route_bytes},
            {"plastic_state", r.plastic_bytes}}},
          {"store_hash", hex64(r.store_hash)},
          {"routes_hash", hex64(r.routes_hash)},
          {"intervals", r.intervals},
          {"messages_received", r.messages_received},
          {"bytes_sent_per_interval",
           r.intervals > 0 ? static_cast<double>(r.bytes_sent) / static_cast<double>(r.intervals) : 0.0},
          {"bytes_received_per_interval",
           r.intervals > 0 ? static_cast<double>(r.messages_received) * 8.0 / static_cast<double>(r.intervals) : 0.0}};
}

/// A JSON object of (name, number) pairs with distinct names, in their order, built in linear time (ordered_json's
/// operator[] searches the names before it: 10^5 parameters took minutes).
json object_of(const std::vector<std::pair<std::string, double>>& pairs) {
  json out = json::object();
  auto& members = out.get_ref<json::object_t&>();
  members.reserve(pairs.size());
  for (const auto& [name, value] : pairs) members.emplace_back(name, value);
  return out;
}

json emulation_json(const emulation_summary& e) {
  json rates = object_of(e.rates_hz);
  return {{"ranks", e.ranks},
          {"as_rank", e.as_rank},
          {"routes", e.routes},
          {"routing_seconds", e.routing_seconds},
          {"rates_hz", std::move(rates)},
          {"remote_messages", e.remote_messages}};
}

json population_json(const population_summary& p) {
  return {{"name", p.name},         {"model", p.model},     {"size", p.size},
          {"recorded", p.recorded}, {"counted", p.counted}, {"spikes", p.spikes},
          {"rate_hz", p.rate_hz},   {"cv_isi", p.cv_isi},   {"neurons_with_cv", p.neurons_with_cv}};
}

json summary_json(const run_summary& s) {
  json populations = json::array();
  for (const auto& p : s.populations) populations.push_back(population_json(p));
  json per_rank = json::array();
  for (const auto& r : s.per_rank) per_rank.push_back(rank_json(r));
  json parameters = object_of(s.parameters);
  json libraries = json::array();
  for (const auto& l : s.libraries)
    libraries.push_back({{"path", l.path}, {"file_hash", l.file_hash}, {"models", l.models}});
  json out = {{"hetspike_version", s.hetspike_version},
              {"model_file", s.model_file},
              {"model_hash", s.model_hash},
              {"libraries", std::move(libraries)},
              {"parameters", std::move(parameters)},
              {"seed", s.seed},
              {"ranks", s.ranks},
              {"dt", s.dt},
              {"t_sim", s.t_sim},
              {"t_presim", s.t_presim},
              {"d_min", s.d_min},
              {"d_max", s.d_max},
              {"neurons", s.neurons},
              {"synapses", s.synapses},
              {"spikes", s.spikes},
              {"recorded_spikes", s.recorded_spikes},
              {"spike_hash", s.spike_hash},
              {"build_seconds", s.build_seconds},
              {"simulate_seconds", s.simulate_seconds},
              {"real_time_factor", s.real_time_factor},
              {"synaptic_events", s.synaptic_events},
              {"synaptic_events_per_second", s.synaptic_events_per_second},
              {"bytes_per_synapse", s.bytes_per_synapse},
              {"busy_imbalance", s.busy_imbalance},
              {"weight_quantization",
               {{"weights", s.weight_quantization.weights},
                {"saturated", s.weight_quantization.saturated},
                {"relative_error", s.weight_quantization.relative_error},
                {"max_abs_error", s.weight_quantization.max_abs_error}}},
              {"weight_resolution",
               {{"max_relative_error", s.weight_resolution.max_relative_error},
                {"weight", s.weight_resolution.weight},
                {"population", s.weight_resolution.population},
                {"where", s.weight_resolution.where}}},
              {"populations", std::move(populations)},
              {"per_rank", std::move(per_rank)},
              {"outputs", s.outputs},
              {"resumed_from_step", s.resumed_from_step},
              {"end_step", s.end_step},
              {"stopped", s.stopped},
              {"checkpoints", s.checkpoints}};
  if (s.emulation) out["emulation"] = emulation_json(*s.emulation);
  return out;
}

/// printf-style formatting into a std::string (g++ 12 has no <format>).
template <class... Args>
std::string printf_string(const char* format, Args... args) {
  const int n = std::snprintf(nullptr, 0, format, args...);
  if (n <= 0) return {};
  std::string text(static_cast<std::size_t>(n), '\0');
  std::snprintf(text.data(), text.size() + 1, format, args...);
  return text;
}

}  // namespace

void write_run_report(const run_summary& summary, const fs::path& path) {
  const fs::path partial = partial_path_of(path);
  // Invalid UTF-8 in a name or path is replaced rather than thrown: losing the whole report over one byte of a
  // file name would be worse.
  const std::string text = summary_json(summary).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  {
    errno = 0;
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (out) out << text << std::flush;
    if (!out) {
      const std::string reason = errno != 0 ? std::strerror(errno) : "write failed";
      std::error_code ignored;
      fs::remove(partial, ignored);
      throw input_error("cannot write run report '" + path.string() + "' (via '" + partial.string() + "'): " + reason);
    }
  }
  std::error_code ec;
  fs::rename(partial, path, ec);  // atomic on POSIX: readers see the old report or the whole new one
  if (ec) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw input_error("cannot write run report '" + path.string() + "': renaming '" + partial.string() +
                      "' failed: " + ec.message());
  }
}

std::string format_run_summary(const run_summary& s) {
  std::size_t name_width = 10;  // the width of "Population"
  for (const auto& p : s.populations) name_width = std::max(name_width, p.name.size());
  const int w = static_cast<int>(name_width);

  std::string out = printf_string("%-*s %12s %10s %7s\n", w, "Population", "neurons", "rate [Hz]", "CV ISI");
  for (const auto& p : s.populations)
    out += printf_string("%-*s %12llu %10.2f %7.2f\n", w, p.name.c_str(), static_cast<unsigned long long>(p.size),
                         p.rate_hz, p.cv_isi);
  std::string sampled;  // populations whose rate and CV are those of the first neurons only (the recorded ones)
  for (const auto& p : s.populations)
    if (p.counted < p.size)
      sampled += printf_string("%s%s first %llu of %llu", sampled.empty() ? "" : ", ", p.name.c_str(),
                               static_cast<unsigned long long>(p.counted), static_cast<unsigned long long>(p.size));
  if (!sampled.empty()) out += "Rates and CVs of the recorded neurons only: " + sampled + "\n";

  const auto line = [&out](const char* label, const std::string& value) {
    out += printf_string("%-26s%s\n", label, value.c_str());
  };
  line("Neurons", printf_string("%llu", static_cast<unsigned long long>(s.neurons)));
  line("Synapses", printf_string("%llu", static_cast<unsigned long long>(s.synapses)));
  line("Build time", printf_string("%.2f s", s.build_seconds));
  const double start_ms = s.resumed_from_step > 0 ? static_cast<double>(s.resumed_from_step) * s.dt : 0.0;
  const double simulated_ms = static_cast<double>(s.end_step) * s.dt - start_ms;
  line("Simulation time", printf_string("%.2f s for %.1f ms of model time", s.simulate_seconds, simulated_ms));
  line("Real-time factor", printf_string("%.2f", s.real_time_factor));
  line("Synaptic events / second", printf_string("%.3g", s.synaptic_events_per_second));
  line("Bytes per synapse", printf_string("%.2f", s.bytes_per_synapse));
  if (s.emulation) {
    const auto& e = *s.emulation;
    const auto& r = s.per_rank.front();
    line("Emulated",
         printf_string("rank %d of %d (routes %s in %.2f s)", e.as_rank, e.ranks, e.routes.c_str(), e.routing_seconds));
    line("Rows, routes", printf_string("%llu, %llu", static_cast<unsigned long long>(r.rows),
                                       static_cast<unsigned long long>(r.routes)));
    const double intervals = r.intervals > 0 ? static_cast<double>(r.intervals) : 1.0;
    line("Bytes / interval", printf_string("%.3g sent, %.3g received", static_cast<double>(r.bytes_sent) / intervals,
                                           static_cast<double>(r.messages_received) * 8.0 / intervals));
  }
  if (s.outputs.empty()) line("Outputs", "none");
  for (std::size_t i = 0; i < s.outputs.size(); ++i) line(i == 0 ? "Outputs" : "", s.outputs[i]);
  return out;
}

}  // namespace hetspike
