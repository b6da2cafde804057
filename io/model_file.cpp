// Reading a model file: the file itself, TOML syntax, the top-level tables and [simulation]. The tables that
// describe the network are read in model_parameters.cpp, model_populations.cpp, model_projections.cpp and
// model_inputs.cpp; the hash in model_canonical.cpp.
#include "io/model_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include "io/expression.hpp"
#include "io/model_sections.hpp"
#include "io/model_text.hpp"
#include "partition/error.hpp"

namespace hetspike {
namespace model_detail {
namespace {

/// Refuses a model text of `bytes` bytes beyond max_model_file_bytes, before it is parsed.
void check_size(std::uintmax_t bytes, const std::string& path) {
  if (bytes <= max_model_file_bytes) return;
  throw input_error(path + ": the file holds " + std::to_string(bytes) + " bytes or more; allowed: at most " +
                    std::to_string(max_model_file_bytes) + " bytes (64 MiB) in a model file");
}

/// The file's text, read up to one byte beyond max_model_file_bytes, so that neither a huge file nor an endless
/// one (a pipe, /dev/zero) is held whole.
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  std::vector<char> chunk(1 << 16);
  while (text.size() <= max_model_file_bytes && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw input_error(path + ": cannot open: read failed: " + std::strerror(errno));
  check_size(text.size(), path);
  return text;
}

toml::table parse_toml(std::string_view text, const std::string& path) {
  check_size(text.size(), path);
  if (const auto deep = nesting_beyond(text, max_model_nesting)) {
    throw input_error(path + ":" + std::to_string(deep->line) + ":" + std::to_string(deep->column) +
                      ": tables, arrays and dotted keys nest " + std::to_string(deep->depth) +
                      " levels deep here; allowed: at most " + std::to_string(max_model_nesting) + " levels");
  }
  try {
    return toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw input_error(path + ":" + std::to_string(e.source().begin.line) + ":" +
                      std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
}

/// A time in ms that must be >= 0 (> 0 when `positive`).
double read_time(const model_reader& reader, const toml::node& node, const std::string& path, bool positive) {
  const double t = reader.number(node, path);
  if (positive && !(t > 0)) reader.fail(path, format_number(t) + " ms is not positive; allowed: a time step > 0 ms");
  if (t < 0) reader.fail(path, format_number(t) + " ms is negative; allowed: a time >= 0 ms");
  return t;
}

}  // namespace

void read_simulation(const model_reader& reader, const toml::node* node, const model_overrides& overrides,
                     run_spec& spec) {
  if (node != nullptr) {
    const toml::table& table = reader.table(*node, "simulation");
    reader.check_keys(table, "simulation", {"dt", "t_sim", "t_presim", "seed"});
    if (const toml::node* dt = table.get("dt")) spec.network.dt = read_time(reader, *dt, "simulation.dt", true);
    if (const toml::node* t = table.get("t_sim")) spec.t_sim = read_time(reader, *t, "simulation.t_sim", false);
    if (const toml::node* t = table.get("t_presim")) {
      spec.t_presim = read_time(reader, *t, "simulation.t_presim", false);
    }
    if (const toml::node* seed = table.get("seed")) {
      spec.network.seed = static_cast<std::uint32_t>(
          reader.integer(*seed, "simulation.seed", 0, std::numeric_limits<std::uint32_t>::max()));
    }
  }
  if (overrides.seed) spec.network.seed = *overrides.seed;
  if (overrides.t_sim) {
    const double t = *overrides.t_sim;
    if (!std::isfinite(t) || t < 0) reader.fail("--t-sim", format_number(t) + " ms; allowed: a time >= 0 ms");
    spec.t_sim = t;
  }
}

}  // namespace model_detail

model_file parse_model_text(std::string_view toml_text, const std::string& path_for_messages,
                            const model_overrides& overrides) {
  using namespace model_detail;
  const toml::table root = parse_toml(toml_text, path_for_messages);
  model_reader reader(path_for_messages);
  reader.check_keys(root, "",
                    {"libraries", "parameters", "simulation", "populations", "projections", "inputs", "recorders",
                     "weight_recorders"});

  // Each table depends on the ones read before it: expressions on the parameters, delays on dt, everything
  // after populations on their names and sizes.
  model_file model;
  model.path = path_for_messages;
  model.parameters = read_parameters(reader, root.get("parameters"), overrides.set);
  reader.set_parameters(model.parameters);
  read_simulation(reader, root.get("simulation"), overrides, model.spec);
  reader.set_dt(model.spec.network.dt);
  reader.check_steps(model.spec.t_presim + model.spec.t_sim, overrides.t_sim ? "--t-sim" : "simulation.t_sim",
                     max_run_steps, "t_presim + t_sim; the run counts its steps in 64 bits, spike times in doubles");
  read_populations(reader, root.get("populations"), read_libraries(reader, root.get("libraries"), model.libraries),
                   model.spec.network);
  reader.set_populations(model.spec.network.populations);
  read_projections(reader, root.get("projections"), model.spec.network);
  read_inputs(reader, root.get("inputs"), model.spec.network);
  read_recorders(reader, root.get("recorders"), model.spec);
  read_weight_recorders(reader, root.get("weight_recorders"), model.spec);
  model.hash = network_hash(model.spec);
  return model;
}

model_file load_model_file(const std::string& path, const model_overrides& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw input_error(path + ": cannot open: it is a directory");
  if (const auto bytes = std::filesystem::file_size(path, ec); !ec) model_detail::check_size(bytes, path);
  return parse_model_text(model_detail::read_text(path), path, overrides);
}

}  // namespace hetspike
