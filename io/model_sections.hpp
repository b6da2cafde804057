#pragma once
// Private to io/: one reader per top-level table of a model file, called by parse_model_text in file-format
// order, since each depends on the ones before (parameters -> dt -> populations -> projections, inputs).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/model_file.hpp"
#include "io/model_reader.hpp"
#include "kernels/loaded_model.hpp"

namespace hetspike::model_detail {

/// [parameters] with the --set overrides applied, resolved in dependency order, returned in file order.
std::vector<std::pair<std::string, double>> read_parameters(const model_reader& reader, const toml::node* node,
                                                            const std::vector<std::string>& set);
/// [simulation] (dt, t_sim, t_presim, seed) with --seed and --t-sim applied.
void read_simulation(const model_reader& reader, const toml::node* node, const model_overrides& overrides,
                     run_spec& spec);
/// The models of the libraries the model file loads (model_libraries.cpp), each name once with the compiled-in ones.
using loaded_models = std::vector<std::shared_ptr<const loaded_model>>;
/// What each library is goes into `libraries` (the run report's).
loaded_models read_libraries(const model_reader& reader, const toml::node* node,
                             std::vector<library_summary>& libraries);
/// [[populations]]; a population's model is a compiled-in one or one of `loaded`.
void read_populations(const model_reader& reader, const toml::node* node, const loaded_models& loaded,
                      network_spec& network);
/// A `receptor` key (at `path`): the index of the named port among the receptors of `target`'s model.
std::uint32_t read_receptor(const model_reader& reader, const toml::node& node, const std::string& path,
                            const population_spec& target);
void read_projections(const model_reader& reader, const toml::node* node, network_spec& network);
/// A recorder's or input's `first` (at `path`.first), where given: 1 .. the size of `pop`.
std::optional<std::uint64_t> read_first(const model_reader& reader, const toml::table& table, const std::string& path,
                                        const population_spec& pop);
void read_inputs(const model_reader& reader, const toml::node* node, network_spec& network);
void read_recorders(const model_reader& reader, const toml::node* node, run_spec& spec);
void read_weight_recorders(const model_reader& reader, const toml::node* node, run_spec& spec);
}  // namespace hetspike::model_detail
