// meg._meg: the thin pybind11 layer over include/meg. It only converts
// arguments and errors; python/meg/__init__.py builds the Pythonic API on top
// (DataFrames, dtype restoration, logging). Long calls release the GIL.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "meg/error.hpp"
#include "meg/evaluate.hpp"
#include "meg/log.hpp"
#include "meg/model.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"
#include "meg/schema.hpp"
#include "meg/version.hpp"

namespace py = pybind11;

namespace {

// Python exception classes (created at import, owned by the module).
PyObject* g_error = nullptr;             // meg.Error(Exception)
PyObject* g_invalid_argument = nullptr;  // meg.InvalidArgument(meg.Error, ValueError)
PyObject* g_data_error = nullptr;        // meg.DataError(meg.Error, ValueError)
PyObject* g_io_error = nullptr;          // meg.IoError(meg.Error, OSError)
PyObject* g_missing_file = nullptr;      // meg.MissingFileError(meg.IoError, FileNotFoundError)
PyObject* g_model_format = nullptr;      // meg.ModelFormatError(meg.Error, ValueError)
PyObject* g_cancelled = nullptr;         // meg.Cancelled(KeyboardInterrupt)

PyObject* new_exception(py::module_& m, const char* name, const char* doc, py::tuple bases) {
  std::string qualified = std::string("meg.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module keeps a reference
  return cls;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// KEY=VALUE pairs as the CLI's --option and --unit-option take them.
using OptionItems = std::vector<std::pair<std::string, std::string>>;
using UnitItems = std::vector<std::tuple<std::string, std::string, std::string>>;

meg::FitOptions build_options(const OptionItems& items, const UnitItems& unit_items) {
  meg::FitOptions options;
  for (const auto& [key, value] : items) meg::set_option(options, key, value);
  for (const auto& [column, key, value] : unit_items) {
    meg::set_unit_override(options, column, key, value);
  }
  meg::validate_options(options);
  return options;
}

// Wraps a Python progress callable for the library: takes the GIL, calls it,
// and turns a Python exception (raised by the callback, or a KeyboardInterrupt
// stashed by fit_interruptibly) into meg::Cancelled, keeping the Python
// exception so the caller re-raises the original.
struct ProgressBridge {
  py::object callback;  // may be None
  std::optional<py::error_already_set> python_error;

  meg::ProgressFn make() {
    return [this](const meg::Progress& p) {
      py::gil_scoped_acquire gil;
      // A Python error is pending (Ctrl-C seen by fit_interruptibly, or an earlier
      // callback raised): stop the work.
      if (python_error) throw meg::Cancelled("interrupted");
      if (callback.is_none()) return;
      try {
        py::dict d;
        d["stage"] = p.stage;
        d["units_done"] = p.units_done;
        d["units_total"] = p.units_total;
        d["unit"] = p.unit;
        d["phase"] = p.phase;
        d["epoch"] = p.epoch;
        d["epochs"] = p.epochs;
        d["elapsed_seconds"] = p.elapsed_seconds;
        callback(d);
      } catch (py::error_already_set& e) {
        python_error.emplace(std::move(e));
        throw meg::Cancelled("cancelled by the progress callback");
      }
    };
  }

  // Called with the GIL held after the library returned or threw.
  void reraise_if_any() {
    if (python_error) {
      py::error_already_set e = std::move(*python_error);
      python_error.reset();
      throw e;
    }
  }
};

// The library's log sink routes every message to Python's `logging`
// (logger "meg"); the call goes through meg._log, defined in __init__.py.
void install_log_sink() {
  meg::set_log_sink([](meg::LogLevel level, std::string_view message) {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    py::gil_scoped_acquire gil;
    try {
      py::module_ pkg = py::module_::import("meg");
      if (!py::hasattr(pkg, "_log")) return;
      pkg.attr("_log")(static_cast<int>(level), py::str(message.data(), message.size()));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("meg log sink");
    }
  });
}

// JSON text for Python's json.loads (invalid UTF-8 replaced, never an error).
template <class Json>
std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Runs a fit on a C++ thread while the calling thread (GIL released) waits
// and, every 100 ms, takes the GIL to look for Ctrl-C. A pending
// KeyboardInterrupt makes the next progress event throw meg::Cancelled; the
// KeyboardInterrupt (or the exception the progress callback raised) is then
// re-raised here.
meg::Model fit_interruptibly(ProgressBridge& bridge, const std::function<meg::Model()>& work) {
  std::optional<meg::Model> result;
  std::exception_ptr error;
  {
    py::gil_scoped_release release;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::thread worker([&] {
      try {
        result.emplace(work());
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
      cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (!bridge.python_error && PyErr_CheckSignals() != 0) bridge.python_error.emplace();
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (error) {
    if (bridge.python_error) bridge.reraise_if_any();
    std::rethrow_exception(error);
  }
  bridge.reraise_if_any();
  return std::move(*result);
}

class PyModel {
 public:
  explicit PyModel(meg::Model model) : model_(std::move(model)) {}

  static PyModel fit_text(const std::string& text, const std::string& source,
                          const OptionItems& items, const UnitItems& unit_items,
                          const std::string& schema_json, py::object progress) {
    meg::FitOptions options = build_options(items, unit_items);
    ProgressBridge bridge{std::move(progress), std::nullopt};
    meg::ProgressFn fn = bridge.make();
    return PyModel(fit_interruptibly(
        bridge, [&] { return meg::Model::fit_csv_text(text, source, options, schema_json, fn); }));
  }

  static PyModel fit_path(const std::string& path, const OptionItems& items,
                          const UnitItems& unit_items, const std::string& schema_path,
                          py::object progress) {
    meg::FitOptions options = build_options(items, unit_items);
    ProgressBridge bridge{std::move(progress), std::nullopt};
    meg::ProgressFn fn = bridge.make();
    return PyModel(fit_interruptibly(
        bridge, [&] { return meg::Model::fit_csv(path, options, schema_path, fn); }));
  }

  static PyModel load(const std::string& path) {
    std::optional<meg::Model> model;
    {
      py::gil_scoped_release release;
      model.emplace(meg::Model::load(path));
    }
    return PyModel(std::move(*model));
  }

  py::bytes sample_csv(uint64_t n, uint64_t seed, int threads) const {
    std::string csv;
    {
      py::gil_scoped_release release;
      csv = model_.sample_csv(n, seed, threads);
    }
    return py::bytes(csv);
  }

  py::bytes sample_csv_where(uint64_t n, uint64_t seed, int threads,
                             const std::vector<std::string>& where) const {
    std::string csv;
    {
      py::gil_scoped_release release;
      csv = model_.sample_csv(n, seed, threads, where);
    }
    return py::bytes(csv);
  }

  py::bytes sample_csv_chunks(uint64_t n, uint64_t seed, int threads, uint64_t begin,
                              uint64_t end) const {
    std::string csv;
    {
      py::gil_scoped_release release;
      csv = model_.sample_csv_chunks(n, seed, threads, begin, end);
    }
    return py::bytes(csv);
  }

  void sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path) const {
    py::gil_scoped_release release;
    model_.sample_to_file(n, seed, threads, path);
  }

  void save(const std::string& path) const {
    py::gil_scoped_release release;
    model_.save(path);
  }

  std::string describe() const { return dump(model_.describe()); }
  std::string to_dot() const { return model_.to_dot(); }
  uint64_t training_rows() const { return model_.training_rows(); }

 private:
  meg::Model model_;
};

std::string evaluate(const std::string& train, const std::string& test,
                     const std::string& synthetic, const std::string& augmented,
                     const std::string& target, const std::string& task, const std::string& schema,
                     uint64_t seed, int threads,
                     std::optional<std::vector<std::string>> classifiers, int gbt_rounds,
                     int rf_trees, bool detection, long detection_rows, int detection_folds,
                     int detection_rounds, long privacy_rows, long attack_rows,
                     long max_levels_per_column, long max_onehot_features) {
  meg::EvaluateOptions o;
  o.train = train;
  o.test = test;
  o.synthetic = synthetic;
  o.augmented = augmented;
  o.target = target;
  o.task = task;
  o.schema = schema;
  o.seed = seed;
  o.threads = threads;
  if (classifiers) o.classifiers = *classifiers;
  o.gbt_rounds = gbt_rounds;
  o.rf_trees = rf_trees;
  o.detection = detection;
  o.detection_rows = detection_rows;
  o.detection_folds = detection_folds;
  o.detection_rounds = detection_rounds;
  o.privacy_rows = privacy_rows;
  o.attack_rows = attack_rows;
  o.max_levels_per_column = max_levels_per_column;
  o.max_onehot_features = max_onehot_features;
  o.validate();
  meg::EvaluationResult result;
  {
    py::gil_scoped_release release;
    result = meg::evaluate(o);
  }
  return dump(meg::to_json(result));
}

// A result from Python (a dict, as JSON text) checked field by field: a dict that was edited or
// written by an older meg renders or raises ValueError naming the field.
meg::EvaluationResult result_from_text(const std::string& json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw meg::InvalidArgument(std::string("evaluation result: not JSON: ") + e.what());
  }
  return meg::evaluation_from_json(j);
}

}  // namespace

PYBIND11_MODULE(_meg, m) {
  m.doc() = "meg native core (pybind11). Use the `meg` package, not this module.";
  m.attr("__version__") = meg::kVersion;
  // The library's limits, so the Python checks use the same numbers as the CLI.
  m.attr("max_sample_rows") = meg::kMaxSampleRows;
  m.attr("sample_chunk_rows") = meg::Model::sample_chunk_rows();
  m.attr("max_threads") = meg::kMaxThreads;

  // Exception classes. ValueError/OSError bases so that generic Python code
  // handles them as usual; meg.Error is the common base of all but Cancelled.
  py::handle exc(PyExc_Exception), value_error(PyExc_ValueError), os_error(PyExc_OSError);
  g_error =
      new_exception(m, "Error", "Base class of the errors raised by meg.", py::make_tuple(exc));
  py::handle error(g_error);
  g_invalid_argument = new_exception(m, "InvalidArgument", "A bad option value or argument.",
                                     py::make_tuple(error, value_error));
  g_data_error =
      new_exception(m, "DataError", "Bad input data (the message names file, line and column).",
                    py::make_tuple(error, value_error));
  g_io_error = new_exception(m, "IoError", "A file cannot be opened, read or written.",
                             py::make_tuple(error, os_error));
  g_missing_file =
      new_exception(m, "MissingFileError", "A file to read does not exist.",
                    py::make_tuple(py::handle(g_io_error), py::handle(PyExc_FileNotFoundError)));
  g_model_format =
      new_exception(m, "ModelFormatError",
                    "A model file that is corrupt, truncated or of another format version.",
                    py::make_tuple(error, value_error));
  g_cancelled = new_exception(m, "Cancelled", "The operation was cancelled; nothing was written.",
                              py::make_tuple(py::handle(PyExc_KeyboardInterrupt)));

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const meg::InvalidArgument& e) {
      PyErr_SetString(g_invalid_argument, e.what());
    } catch (const meg::DataError& e) {
      PyErr_SetString(g_data_error, e.what());
    } catch (const meg::ModelFormatError& e) {
      PyErr_SetString(g_model_format, e.what());
    } catch (const meg::IoError& e) {
      bool missing = ends_with(e.what(), "cannot open: No such file or directory");
      PyErr_SetString(missing ? g_missing_file : g_io_error, e.what());
    } catch (const meg::Cancelled& e) {
      PyErr_SetString(g_cancelled, e.what());
    } catch (const meg::Error& e) {
      PyErr_SetString(g_error, e.what());
    }
  });

  py::class_<meg::OptionInfo>(m, "OptionInfo")
      .def_readonly("key", &meg::OptionInfo::key)
      .def_readonly("help", &meg::OptionInfo::help)
      .def_readonly("default", &meg::OptionInfo::default_value)
      .def_readonly("per_unit", &meg::OptionInfo::per_unit);
  m.def(
      "option_table", &meg::option_table, py::return_value_policy::reference,
      "Every fit option (key, help, default, per_unit), as `meg fit --list-options` prints them.");
  py::class_<meg::EvaluateOptionInfo>(m, "EvaluateOptionInfo")
      .def_readonly("key", &meg::EvaluateOptionInfo::key)
      .def_readonly("flag", &meg::EvaluateOptionInfo::flag)
      .def_readonly("help", &meg::EvaluateOptionInfo::help)
      .def_readonly("default", &meg::EvaluateOptionInfo::default_value);
  m.def("evaluate_option_table", &meg::evaluate_option_table, py::return_value_policy::reference,
        "Every tunable option of evaluate (key, flag, help, default), as `meg evaluate "
        "--list-options` prints them.");
  m.def(
      "check_options",
      [](const OptionItems& items, const UnitItems& unit_items) {
        (void)build_options(items, unit_items);
      },
      py::arg("items"), py::arg("unit_items"),
      "Parses KEY=VALUE options exactly as `meg fit --option` does; raises meg.InvalidArgument.");

  py::class_<PyModel>(m, "Model")
      .def_static("fit_text", &PyModel::fit_text, py::arg("text"), py::arg("source"),
                  py::arg("items"), py::arg("unit_items"), py::arg("schema_json"),
                  py::arg("progress"))
      .def_static("fit_path", &PyModel::fit_path, py::arg("path"), py::arg("items"),
                  py::arg("unit_items"), py::arg("schema_path"), py::arg("progress"))
      .def_static("load", &PyModel::load, py::arg("path"))
      .def("sample_csv", &PyModel::sample_csv, py::arg("n"), py::arg("seed"), py::arg("threads"))
      .def("sample_csv_where", &PyModel::sample_csv_where, py::arg("n"), py::arg("seed"),
           py::arg("threads"), py::arg("where"))
      .def("sample_csv_chunks", &PyModel::sample_csv_chunks, py::arg("n"), py::arg("seed"),
           py::arg("threads"), py::arg("begin"), py::arg("end"))
      .def("sample_to_file", &PyModel::sample_to_file, py::arg("n"), py::arg("seed"),
           py::arg("threads"), py::arg("path"))
      .def("save", &PyModel::save, py::arg("path"))
      .def("describe", &PyModel::describe)
      .def("to_dot", &PyModel::to_dot)
      .def("training_rows", &PyModel::training_rows);

  m.def(
      "infer_schema",
      [](const std::string& csv_path, const std::string& schema_path) {
        nlohmann::ordered_json j;
        {
          py::gil_scoped_release release;
          j = meg::infer_schema(csv_path, schema_path);
        }
        return dump(j);
      },
      py::arg("csv_path"), py::arg("schema_path") = "");

  m.def("evaluate", &evaluate, py::arg("train"), py::arg("test"), py::arg("synthetic"),
        py::arg("augmented"), py::arg("target"), py::arg("task"), py::arg("schema"),
        py::arg("seed"), py::arg("threads"), py::arg("classifiers"), py::arg("gbt_rounds"),
        py::arg("rf_trees"), py::arg("detection"), py::arg("detection_rows"),
        py::arg("detection_folds"), py::arg("detection_rounds"), py::arg("privacy_rows"),
        py::arg("attack_rows"), py::arg("max_levels_per_column"), py::arg("max_onehot_features"));
  m.def(
      "format_evaluation",
      [](const std::string& json_text) {
        return meg::format_evaluation(result_from_text(json_text));
      },
      py::arg("result_json"));
  m.def(
      "render_report",
      [](const std::string& json_text, const std::string& title,
         const std::string& synthetic_label) {
        meg::ReportOptions o;
        o.title = title;
        o.synthetic_label = synthetic_label;
        return meg::render_report(result_from_text(json_text), o);
      },
      py::arg("result_json"), py::arg("title"), py::arg("synthetic_label"));

  install_log_sink();
  m.def("set_log_level", [](int level) { meg::set_log_level(static_cast<meg::LogLevel>(level)); });
  // Drop the sink before the interpreter goes away.
  py::module_::import("atexit").attr("register")(py::cpp_function([] { meg::set_log_sink({}); }));
}
