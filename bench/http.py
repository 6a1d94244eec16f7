"""bench/http.py: the HTTP throughput table of issue 15 (the code is in bench/http_bench.py).

Run as a script: `.venv/bin/python bench/http.py [--db …] [--before] [--seconds 5]`.

A script in this folder has the folder first on its import path, so its `import http.client`
(urllib does it) finds this file. When imported like that, this file hands over to the standard
library's `http` package, so the other benches keep working beside it.
"""
import importlib.util
import os
import sys
import sysconfig

if __name__ == "__main__":
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != os.path.dirname(os.path.realpath(__file__))]
    sys.modules.pop("http", None)
    _bench = importlib.util.spec_from_file_location(
        "http_bench", os.path.join(os.path.dirname(os.path.realpath(__file__)), "http_bench.py"))
    _module = importlib.util.module_from_spec(_bench)  # type: ignore[arg-type]
    sys.modules["http_bench"] = _module
    _bench.loader.exec_module(_module)  # type: ignore[union-attr]
    sys.exit(_module.main())
else:
    _package = os.path.join(sysconfig.get_paths()["stdlib"], "http")
    _spec = importlib.util.spec_from_file_location("http", os.path.join(_package, "__init__.py"),
                                                   submodule_search_locations=[_package])
    _stdlib_http = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
    sys.modules["http"] = _stdlib_http
    _spec.loader.exec_module(_stdlib_http)  # type: ignore[union-attr]
