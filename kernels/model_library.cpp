#include "kernels/model_library.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "kernels/build_signature.hpp"

namespace hetspike {
namespace {

std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find("; ", start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 2;
  }
}

/// dlopen's handle, closed when the last model of the library goes.
class library_handle {
 public:
  explicit library_handle(const std::string& path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw std::invalid_argument(std::string("cannot be loaded: ") + dlerror());
  }
  library_handle(const library_handle&) = delete;
  library_handle& operator=(const library_handle&) = delete;
  ~library_handle() { dlclose(handle_); }

  void* symbol(const char* name) const { return dlsym(handle_, name); }

 private:
  void* handle_;
};

using build_function = const char* (*)();
using models_function = void (*)(std::vector<std::unique_ptr<loaded_model>>&);

}  // namespace

std::string build_mismatch(const std::string& library, const std::string& host) {
  const auto theirs = fields(library), ours = fields(host);
  std::string out;
  for (std::size_t i = 0; i < std::max(theirs.size(), ours.size()); ++i) {
    const std::string_view a = i < theirs.size() ? theirs[i] : "(nothing)", b = i < ours.size() ? ours[i] : "nothing";
    if (a == b) continue;
    if (!out.empty()) out += ", ";
    out.append(a).append(" (this hetspike: ").append(b).append(")");
  }
  return out;
}

std::vector<std::shared_ptr<const loaded_model>> load_model_library(const std::string& path) {
  const auto library = std::make_shared<library_handle>(path);
  const auto build = reinterpret_cast<build_function>(library->symbol("hetspike_model_library_build"));
  const auto models = reinterpret_cast<models_function>(library->symbol("hetspike_model_library_models"));
  if (build == nullptr || models == nullptr)
    throw std::invalid_argument(
        "is not a hetspike model library (it has no hetspike_model_library_build and hetspike_model_library_models; "
        "build one with hetspike_add_nestml_library or HETSPIKE_MODEL_LIBRARY)");
  if (const std::string why = build_mismatch(build(), build_signature()); !why.empty())
    throw std::invalid_argument("was built for another hetspike: " + why + "; rebuild it against this one");
  std::vector<std::unique_ptr<loaded_model>> made;
  models(made);
  if (made.empty()) throw std::invalid_argument("offers no neuron model");
  std::vector<std::shared_ptr<const loaded_model>> out;
  for (auto& m : made)
    // The deleter holds the library: a model's destructor is the library's code.
    out.emplace_back(m.release(), [library](const loaded_model* p) { delete p; });
  return out;
}

}  // namespace hetspike
