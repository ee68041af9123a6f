"""Sphinx configuration of the pymx book.

Build (offline; every chapter is executed, warnings are errors)::

    sphinx-build -W -b html docs docs/_build/html

The chapters live in ``chapters/`` at the repository root; ``docs/chapters`` is a
symlink to it, so Sphinx sees them as documents of this source tree.  Chapters are
MyST notebooks (``{code-cell}`` blocks) executed by myst-nb with the ``python3``
kernel on every build.  The API reference is generated from docstrings: one page per
module listed in ``API_MODULES`` below (add a module there when it lands).
"""
import os
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.util import logging

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_logger = logging.getLogger("pymx.docs")

# pymx (and the backend plug-ins) must import from the work tree, both here (autodoc)
# and in the Jupyter kernels that execute the chapters (they inherit PYTHONPATH).
_PATHS = [str(ROOT), str(ROOT / "backends" / "kernels_common"),
          str(ROOT / "backends" / "opencl"), str(ROOT / "backends" / "cupy")]
for _p in reversed(_PATHS):
    if _p not in sys.path:
        sys.path.insert(0, _p)
os.environ["PYTHONPATH"] = os.pathsep.join(
    _PATHS + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

# -- project ---------------------------------------------------------------------------
project = "pymx: Apache MXNet 1.x, re-implemented to be read"
author = "the pymx authors"
copyright = "the pymx authors, Apache-2.0"
try:
    import pymx
    release = version = pymx.__version__
except Exception:                       # the API pages will say what failed to import
    release = version = "0.1"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store",
                    "chapters/README.md", "api/README.md"]

# -- MyST and notebook execution --------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist",
                          "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "force"             # every build runs every chapter
nb_execution_timeout = 300              # seconds per cell
nb_execution_raise_on_error = True      # a failing cell fails the build
nb_execution_show_tb = True             # ... and prints its traceback
nb_execution_in_temp = True             # files a chapter writes go to a temp dir
nb_merge_streams = True
nb_render_markdown_format = "myst"     # Markdown outputs may hold tables
nb_kernel_rgx_aliases = {".*": "python3"}

# -- autodoc -----------------------------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_mock_imports = ["cupy", "pyopencl", "mpi4py"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# -- HTML --------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "pymx"
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_static_path = ["_static"]

# -- math offline: MathJax 2 from Debian's libjs-mathjax, copied into the build -----
#: Where Debian's ``libjs-mathjax`` puts MathJax 2.7.  When it exists, the book loads
#: MathJax from its own ``_static/mathjax`` (copied there at build time, without the
#: unpacked sources), so math renders offline; otherwise Sphinx's default (a CDN).
MATHJAX_DIR = Path(os.environ.get("PYMX_MATHJAX_DIR", "/usr/share/javascript/mathjax"))
_MATHJAX_PARTS = ("MathJax.js", "config", "extensions", "fonts", "jax", "localization")
if (MATHJAX_DIR / "MathJax.js").exists():
    mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML"
    mathjax2_config = {
        "tex2jax": {"inlineMath": [["\\(", "\\)"]],
                    "displayMath": [["\\[", "\\]"]],
                    "processRefs": False, "processEnvironments": False,
                    # myst-nb marks pages mathjax_ignore and math mathjax_process
                    "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
                    "processClass": "tex2jax_process|mathjax_process|math|output_area"},
        "messageStyle": "none",
    }


def _copy_mathjax(app, exception):
    """Copy the local MathJax into ``_static/mathjax`` of an HTML build."""
    import shutil
    if exception is not None or app.builder.format != "html":
        return
    if not (MATHJAX_DIR / "MathJax.js").exists():
        return
    dest = Path(app.outdir) / "_static" / "mathjax"
    if (dest / "MathJax.js").exists():
        return
    dest.mkdir(parents=True, exist_ok=True)
    for part in _MATHJAX_PARTS:
        src = MATHJAX_DIR / part
        if src.is_dir():
            shutil.copytree(src, dest / part, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, dest / part)

# -- the API reference: one automodule page per listed module ---------------------------
#: Every public module of pymx and of the backend plug-ins.  Add a module here when it
#: lands; its page ``api/<module>.md`` is written at build time.
API_MODULES = [
    ("The package", ["pymx", "pymx.base", "pymx.context", "pymx.attribute",
                     "pymx.name", "pymx.random", "pymx.recordio", "pymx.profiler",
                     "pymx.monitor"]),
    ("Images", ["pymx.image", "pymx.image.decode", "pymx.image.resize", "pymx.image.crop",
                "pymx.image.border", "pymx.image.normalize", "pymx.image.augmenter",
                "pymx.image.image_iter"]),
    ("Floor 1: backends", ["pymx.backend", "pymx.backend.contract",
                           "pymx.backend.numpy_backend"]),
    ("Floor 2: operators", ["pymx.ops", "pymx.ops.registry", "pymx.ops.params",
                            "pymx.ops.util", "pymx.ops.random", "pymx.ops.mt19937"]),
    ("Floor 3: the engine", ["pymx.engine"]),
    ("Floor 4: NDArray", ["pymx.ndarray", "pymx.ndarray.ndarray",
                          "pymx.ndarray.register", "pymx.ndarray.indexing",
                          "pymx.ndarray.ufunc", "pymx.ndarray.random",
                          "pymx.ndarray.saveload", "pymx.ndarray.sparse",
                          "pymx.ndarray.control_flow"]),
    ("Floor 4: the NumPy interface", [
        "pymx.util", "pymx.numpy", "pymx.numpy.ndarray", "pymx.numpy.creation",
        "pymx.numpy.elementwise", "pymx.numpy.reduction", "pymx.numpy.manipulation",
        "pymx.numpy.linalg", "pymx.numpy.random", "pymx.numpy.stacking",
        "pymx.numpy.rearranging", "pymx.numpy.matrices", "pymx.numpy.counting",
        "pymx.numpy.fallback", "pymx.numpy.utils", "pymx.numpy_extension",
        "pymx.numpy_extension.device"]),
    ("Floor 4: Symbol", ["pymx.symbol", "pymx.symbol.symbol", "pymx.symbol.op",
                         "pymx.symbol.graph", "pymx.symbol.json", "pymx.symbol.tape",
                         "pymx.symbol.testing", "pymx.symbol.numpy",
                         "pymx.symbol.sparse", "pymx.visualization"]),
    ("Floor 5: autograd and the executor", [
        "pymx.autograd", "pymx.operator", "pymx.executor", "pymx.executor.executor",
        "pymx.executor.program", "pymx.executor.infer_shape", "pymx.executor.infer_type",
        "pymx.executor.gradient", "pymx.executor.memory_plan", "pymx.cached_op"]),
    ("Floor 6: training machinery", [
        "pymx.optimizer", "pymx.optimizer.optimizer", "pymx.optimizer.sgd",
        "pymx.optimizer.adaptive", "pymx.optimizer.contrib", "pymx.lr_scheduler",
        "pymx.initializer", "pymx.metric", "pymx.kvstore", "pymx.kvstore.kvstore",
        "pymx.kvstore.local", "pymx.kvstore.dist", "pymx.kvstore.compression"]),
    ("Floor 7: Gluon", [
        "pymx.gluon", "pymx.gluon.parameter", "pymx.gluon.block", "pymx.gluon.trainer",
        "pymx.gluon.loss", "pymx.gluon.utils", "pymx.gluon.nn",
        "pymx.gluon.nn.basic_layers", "pymx.gluon.nn.conv_layers",
        "pymx.gluon.nn.activations", "pymx.gluon.data", "pymx.gluon.data.dataset",
        "pymx.gluon.data.sampler", "pymx.gluon.data.dataloader",
        "pymx.gluon.data.vision", "pymx.gluon.data.vision.datasets",
        "pymx.gluon.data.vision.transforms"]),
    # Modules that landed after chapters 1-5; each is listed only if it imports
    # (``_importable`` below), so the book builds while they are being written.
    ("Floor 7: Gluon RNN and model zoo", [
        "pymx.gluon.rnn", "pymx.gluon.rnn.rnn_cell", "pymx.gluon.rnn.rnn_layer",
        "pymx.gluon.model_zoo", "pymx.gluon.model_zoo.model_store",
        "pymx.gluon.model_zoo.vision",
        "pymx.gluon.model_zoo.vision.alexnet",
        "pymx.gluon.model_zoo.vision.densenet",
        "pymx.gluon.model_zoo.vision.inception",
        "pymx.gluon.model_zoo.vision.mobilenet",
        "pymx.gluon.model_zoo.vision.resnet",
        "pymx.gluon.model_zoo.vision.squeezenet",
        "pymx.gluon.model_zoo.vision.vgg",
    ]),
    ("Floor 7: gluon.contrib", [
        "pymx.gluon.contrib", "pymx.gluon.contrib.nn", "pymx.gluon.contrib.estimator",
        "pymx.gluon.contrib.rnn", "pymx.gluon.contrib.data"]),
    ("mx.contrib.text", ["pymx.contrib.text", "pymx.contrib.text.utils",
                         "pymx.contrib.text.vocab", "pymx.contrib.text.embedding"]),
    ("The Module API", [
        "pymx.io", "pymx.io.io", "pymx.io.libsvm_iter", "pymx.module", "pymx.module.base_module",
        "pymx.module.executor_group", "pymx.module.module",
        "pymx.module.bucketing_module", "pymx.model", "pymx.callback",
        "pymx.rnn", "pymx.rnn.rnn_cell", "pymx.rnn.io", "pymx.rnn.rnn"]),
    ("Tools", ["pymx.test_utils", "pymx.cli", "pymx.data", "pymx.data.idx",
               "pymx.conformance", "pymx.conformance.runner",
               "pymx.conformance.cases"]),
    ("Backend plug-ins", ["pymx_kernels", "pymx_opencl", "pymx_cupy"]),
]

_API_DIR = HERE / "api" / "generated"


def _importable(mod):
    import importlib
    try:
        importlib.import_module(mod)
        return True
    except Exception:
        return False


_OPTIONAL_GROUPS = ("Floor 7: Gluon RNN and model zoo", "The Module API")
API_MODULES = [(group, [m for m in mods if _importable(m)])
               if group in _OPTIONAL_GROUPS else (group, mods)
               for group, mods in API_MODULES]
API_MODULES = [(group, mods) for group, mods in API_MODULES if mods]


def _write_if_changed(path, text):
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _is_package(mod):
    import importlib.util
    try:
        spec = importlib.util.find_spec(mod)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.submodule_search_locations is not None


def _write_api_pages():
    """Write ``api/generated/<module>.md`` for each module of ``API_MODULES`` and the
    toctree that lists them (``api/generated/toc.md``, included by ``api/index.md``)."""
    _API_DIR.mkdir(parents=True, exist_ok=True)
    wanted = set()
    toc = []
    for group, modules in API_MODULES:
        toc += [f"## {group}", "", "```{toctree}", ":maxdepth: 1", ""]
        for mod in modules:
            name = f"{mod}.md"
            wanted.add(name)
            # A package page documents only what the package itself defines: its
            # re-exports have their own module's page (one target per name).
            package = _is_package(mod)
            _write_if_changed(_API_DIR / name, (
                f"# `{mod}`\n\n"
                "```{eval-rst}\n"
                f".. automodule:: {mod}\n"
                "   :members:\n"
                "   :show-inheritance:\n"
                + ("   :ignore-module-all:\n" if package else "")
                + "```\n"))
            toc.append(f"generated/{mod}")
        toc += ["```", ""]
    for old in _API_DIR.glob("*.md"):
        if old.name not in wanted and old.name != "toc.md":
            old.unlink()
    _write_if_changed(_API_DIR / "toc.md", "\n".join(toc))


_write_api_pages()
exclude_patterns.append("api/generated/toc.md")      # included, not a page of its own


# -- {source}`pymx/autograd.py`: a checked link to a file of the repository ------------
def _source_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """Link a repository file: a Python module links to its API page, anything else is
    shown as a path.  A path that does not exist is a warning (an error under -W)."""
    path = text.strip()
    if not (ROOT / path).exists():
        msg = inliner.reporter.warning(
            f"{{source}} names a file that does not exist: {path}", line=lineno)
        return [nodes.literal(rawtext, path)], [msg]
    mod = None
    for prefix in ("", "backends/kernels_common/", "backends/opencl/", "backends/cupy/"):
        if path.startswith(prefix) and path.endswith(".py"):
            dotted = path[len(prefix):-3].replace("/", ".")
            if dotted.endswith(".__init__"):
                dotted = dotted[: -len(".__init__")]
            if any(dotted in mods for _, mods in API_MODULES):
                mod = dotted
                break
    lit = nodes.literal(path, path)
    if mod is None:
        return [lit], []
    ref = pending_xref(path, refdomain="py", reftype="mod", reftarget=mod,
                       refexplicit=True, refwarn=True)
    ref += lit
    return [ref], []


# -- docstrings are written in plain notation: ``(N, C, *spatial)`` means a star -------
_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")
_STRAY_STAR = re.compile(r"(?<![\w*\\])\*\*?(?=\w)")


def _escape_segment(text):
    """Escape each ``*`` that would open emphasis with no closing star after it."""
    for m in reversed(list(_STRAY_STAR.finditer(text))):
        stars = m.group()
        if re.search(r"\w" + re.escape(stars) + r"(?![\w*])", text[m.end():]):
            continue                                   # closed later: real markup
        text = text[:m.start()] + "\\*" * len(stars) + text[m.end():]
    return text


def _escape_stray_stars(app, what, name, obj, options, lines):
    """Docstrings are written in plain notation (``(N, C, *spatial)``, ``*args``): a
    star outside a literal that opens RST emphasis but never closes it is escaped, so
    it renders as written instead of being an error under ``-W``."""
    for i, line in enumerate(lines):
        if "*" in line:
            parts = _LITERAL.split(line)
            lines[i] = "".join(p if j % 2 else _escape_segment(p)
                               for j, p in enumerate(parts))


def setup(app):
    app.add_role("source", _source_role)
    app.connect("autodoc-process-docstring", _escape_stray_stars)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True}
