#include "apps/resume.hpp"

#include <charconv>
#include <cstdio>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "io/checkpoint_file.hpp"
#include "io/output_path.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace fs = std::filesystem;

std::vector<fs::path> resume_candidates(const distributed_context& ctx, const std::string& resume) {
  return agree_on_input_errors(ctx, [&] {
    const fs::path p(resume);
    std::vector<fs::path> list{p};
    if (fs::is_directory(p)) {
      list = list_checkpoints(p);
      if (list.empty()) throw input_error("--resume " + resume + ": no checkpoint-*.h5 file in this directory");
    } else if (!fs::exists(p)) {
      throw input_error("--resume " + resume + ": no such checkpoint file or directory");
    }
    // Every rank opens the checkpoint through MPI-IO: a name too long for it would abort them all.
    for (const auto& file : list)
      if (const auto problem = mpi_io_path_problem("--resume", resume, file, "the checkpoint"); !problem.empty())
        throw input_error(problem);
    return list;
  });
}

namespace {

constexpr std::string_view seed_prefix = "--seed=";

}  // namespace

std::string stored_overrides(const model_options& m) {
  std::string text;
  for (const auto& s : m.set) text += s + "\n";
  if (m.seed) text += std::string(seed_prefix) + std::to_string(*m.seed) + "\n";
  return text;
}

std::pair<fs::path, checkpoint_header> newest_readable_header(const distributed_context& ctx,
                                                              const std::vector<fs::path>& candidates, bool fall_back) {
  for (const auto& candidate : candidates) {
    try {
      return {candidate, hdf5_checkpoint_source(ctx, candidate).header()};
    } catch (const input_error& e) {
      if (!fall_back || &candidate == &candidates.back()) throw;
      if (ctx.rank() == 0) std::fprintf(stderr, "hetspike: warning: %s; trying an older checkpoint\n", e.what());
    }
  }
  throw input_error("--resume: no checkpoint to resume from");
}

model_file model_from_checkpoint(const distributed_context& ctx, const fs::path& file, const checkpoint_header& h,
                                 const model_options& m) {
  model_overrides o;
  std::istringstream stored(h.model_overrides);
  for (std::string line; std::getline(stored, line);) {
    if (line.empty()) continue;
    if (line.starts_with(seed_prefix)) {
      std::uint32_t seed = 0;
      const char* first = line.data() + seed_prefix.size();
      const auto [end, error] = std::from_chars(first, line.data() + line.size(), seed);
      if (error != std::errc{} || end != line.data() + line.size())
        throw input_error("checkpoint " + file.string() + ": stored option '" + line + "' is not a seed");
      o.seed = seed;
    } else {
      o.set.push_back(line);
    }
  }
  o.set.insert(o.set.end(), m.set.begin(), m.set.end());
  if (m.seed) o.seed = m.seed;
  o.t_sim = m.t_sim;
  return agree_on_input_errors(ctx, [&] {
    auto model = parse_model_text(h.model_source, h.model_path + " (as stored in " + file.string() + ")", o);
    model.path = h.model_path;
    return model;
  });
}

namespace {

/// The first line where two canonical network texts differ, for the refusal message.
std::string first_difference(const std::string& checkpoint_text, const std::string& model_text) {
  std::istringstream a(checkpoint_text), b(model_text);
  std::string la, lb;
  for (;;) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "none found (the texts differ only in their hash)";
    if (!more_a) la = "(nothing)";
    if (!more_b) lb = "(nothing)";
    if (la != lb) return "the checkpoint has '" + la + "', the model has '" + lb + "'";
  }
}

void check_same_network(const model_file& model, const checkpoint_header& h, const std::string& file) {
  if (model.hash == h.model_hash) return;
  throw input_error(file + ": written for another network (model hash " + h.model_hash + ", this model's is " +
                    model.hash +
                    "); first difference: " + first_difference(h.model_text, canonical_network_text(model.spec)));
}

std::string listed(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

/// The spike file continues where the checkpoint left it, population by population: its recorders must be the
/// same (recorders are not part of the model hash, so check_same_network lets them differ).
void check_same_spike_recorders(const model_file& model, const checkpoint_header& h, const std::string& file) {
  std::vector<std::string> now;
  for (const auto& p : recorded_populations(model.spec)) now.push_back(p.name);
  if (now == h.recorded_populations) return;
  throw input_error(file + ": its run recorded the spikes of " + listed(h.recorded_populations) +
                    ", this model file's spike recorders record " + listed(now) +
                    "; spike recorders must be those of the run that wrote the checkpoint, in the same order (the "
                    "spike file continues from it)");
}

}  // namespace

std::vector<sonata_population> recorded_populations(const run_spec& spec) {
  std::vector<sonata_population> out;
  std::set<std::size_t> seen;
  const auto offsets = spec.network.population_offsets();
  for (const auto& r : spec.recorders)
    if (seen.insert(r.population).second)
      out.push_back({spec.network.populations[r.population].name, offsets[r.population],
                     spec.network.populations[r.population].size});
  return out;
}

checkpoint_header restore_newest_usable(const distributed_context& ctx, simulation& sim, const model_file& model,
                                        const std::vector<fs::path>& candidates, bool fall_back) {
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string name = candidates[i].string();
    std::optional<hdf5_checkpoint_source> source;
    try {
      source.emplace(ctx, candidates[i]);
    } catch (const input_error& e) {
      if (!fall_back) throw;
      if (ctx.rank() == 0) std::fprintf(stderr, "hetspike: warning: %s; trying an older checkpoint\n", e.what());
      continue;
    }
    check_same_network(model, source->header(), name);  // a mismatch would repeat in every older one: stop
    check_same_spike_recorders(model, source->header(), name);
    try {
      sim.restore(*source);
      if (ctx.rank() == 0 && i > 0)
        std::printf("hetspike: resuming from %s (newer checkpoints were unusable)\n", name.c_str());
      return source->header();
    } catch (const checkpoint_mismatch&) {
      throw;  // intact but for another run: an older checkpoint of it would be refused alike
    } catch (const input_error& e) {
      if (!fall_back) throw;
      if (ctx.rank() == 0) std::fprintf(stderr, "hetspike: warning: %s; trying an older checkpoint\n", e.what());
    }
  }
  throw input_error("--resume: none of the " + std::to_string(candidates.size()) +
                    " checkpoints can be read (see the warnings above)");
}

}  // namespace hetspike
