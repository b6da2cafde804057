// `libraries = ["DIR/libmymodels.so", ...]`: shared libraries of neuron models (kernels/model_library.hpp) whose
// models the populations may name, as compiled-in ones. A relative path is the model file's directory's.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "io/message_text.hpp"
#include "io/model_sections.hpp"
#include "kernels/content_hash.hpp"
#include "kernels/model_library.hpp"
#include "kernels/neuron_models.hpp"

namespace hetspike::model_detail {

namespace {

/// content_hash of the file's bytes, 16 hex digits.
std::string file_hash(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(content_hash().add(bytes.data(), bytes.size()).value()));
  return hex;
}

}  // namespace

loaded_models read_libraries(const model_reader& reader, const toml::node* node,
                             std::vector<library_summary>& libraries) {
  loaded_models out;
  if (node == nullptr) return out;
  const toml::array* paths = node->as_array();
  constexpr std::string_view allowed = "an array of paths of model libraries";
  if (paths == nullptr) reader.fail("libraries", "not an array; allowed: " + std::string(allowed));
  std::set<std::string, std::less<>> names;
  for_each_model([&](auto model) { names.emplace(decltype(model)::name); });
  for (std::size_t i = 0; i < paths->size(); ++i) {
    const std::string key = element_path("libraries", i);
    const std::string given = reader.string(*paths->get(i), key, allowed);
    if (given.empty()) reader.fail(key, "an empty path; allowed: " + std::string(allowed));
    // Absolute, so that the loader never searches its own paths for a bare file name.
    const std::filesystem::path path =
        std::filesystem::absolute(std::filesystem::path(reader.file()).parent_path() / given);
    loaded_models models;
    try {
      models = load_model_library(path.string());
    } catch (const std::invalid_argument& e) {
      reader.fail(key, path.string() + " " + e.what());
    }
    library_summary& summary = libraries.emplace_back(library_summary{path.string(), file_hash(path), {}});
    for (auto& m : models) {
      if (!names.insert(m->info().name).second)
        reader.fail(key, path.string() + " offers model " + in_quotes(m->info().name) +
                             ", which this hetspike already has (compiled in or from an earlier library); allowed: "
                             "each model name once");
      summary.models.push_back(m->info().name);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace hetspike::model_detail
