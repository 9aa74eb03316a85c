"""A no-op stand-in for matplotlib (and ``pylab``, ``cycler``), so that
Brian's example scripts run where matplotlib is not installed and spend no
time drawing.

`install` puts import hooks for ``matplotlib``, ``matplotlib.*``, ``pylab``
and ``cycler`` in front of the real packages. Every attribute, call, item and
arithmetic operation of a stub gives another stub; the calls whose results
scripts unpack give what matplotlib gives: ``subplots`` a figure and an array
of axes of the asked shape, ``plot`` a list of one line, ``get_xlim`` /
``xlim`` a pair of numbers. Other stubs unpack into two stubs (``a, b =
gs.subplots()``), the most common case.

``pylab`` is what ``from brian2 import *`` star-imports when it can: numpy's
names (as ``pylab`` and Brian's fallback import them) and pyplot's functions
as stubs, so that scripts calling ``plot(...)``/``show()`` directly run.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

import numpy as np

#: pyplot's functions and objects that scripts use through ``pylab`` (``from
#: brian2 import *`` then ``plot(...)``); all stubs
PYPLOT_NAMES = """
acorr angle_spectrum annotate arrow autoscale axes axhline axhspan axis axvline axvspan bar
barh box boxplot broken_barh cla clabel clf clim close cm cohere colorbar colormaps contour
contourf csd cycler draw errorbar eventplot figimage figlegend figtext figure fill fill_between
fill_betweenx gca gcf gci get_cmap grid hexbin hist hist2d hlines imread imsave imshow ioff ion
legend locator_params loglog magnitude_spectrum margins matshow minorticks_off minorticks_on
pause pcolor pcolormesh phase_spectrum pie plot plot_date polar psd quiver rc rcParams
rcdefaults savefig sca scatter semilogx semilogy setp show specgram spy stackplot stairs stem
step streamplot style subplot subplot2grid subplot_mosaic subplots subplots_adjust suptitle
table text thetagrids tick_params ticklabel_format tight_layout title tricontour tricontourf
tripcolor triplot twinx twiny violinplot vlines xcorr xlabel xlim xscale xticks ylabel ylim
yscale yticks
autumn bone cool copper flag gray hot hsv inferno jet magma nipy_spectral pink plasma prism
spring summer viridis winter
Annotation Arrow Artist AutoLocator Axes Button Circle Figure FigureBase FixedFormatter
FixedLocator FormatStrFormatter Formatter FuncFormatter GridSpec IndexLocator Line2D
LinearLocator Locator LogFormatter LogFormatterExponent LogFormatterMathtext LogLocator
MaxNLocator MultipleLocator Normalize NullFormatter NullLocator PolarAxes Polygon Rectangle
ScalarFormatter Slider Subplot SubplotSpec Text TickHelper Widget figaspect get_backend
rcParamsDefault rc_context rcsetup
""".split()

STUBBED = ("matplotlib", "pylab", "cycler")


class Stub:
    """Anything of matplotlib: absorbs every use, returns more stubs."""

    def __init__(self, name: str = "stub"):
        object.__setattr__(self, "_name", name)

    def __repr__(self) -> str:
        return f"<matplotlib stub {self._name}>"

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _method(f"{self._name}.{name}", name)

    def __setattr__(self, name, value):
        pass

    def __call__(self, *args, **kwargs):
        return Stub(f"{self._name}()")

    def __getitem__(self, key):
        return Stub(f"{self._name}[]")

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter((Stub(f"{self._name}[0]"), Stub(f"{self._name}[1]")))

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def __float__(self) -> float:
        return 0.0

    def __int__(self) -> int:
        return 0

    def __index__(self) -> int:
        return 0

    def __array__(self, dtype=None, copy=None):
        # numpy would otherwise take a stub for a (endlessly nested) sequence
        return np.zeros((), dtype=dtype or float)

    def __format__(self, spec: str) -> str:
        return ""

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other) -> bool:
        return other is self

    def _false(self, other) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    def _operation(self, *other):
        return Stub(self._name)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _operation
    __truediv__ = __rtruediv__ = __neg__ = __pos__ = __pow__ = __or__ = _operation


class _Method(Stub):
    """A stub function whose result has matplotlib's shape where scripts
    unpack it."""

    def __init__(self, name: str, method: str):
        super().__init__(name)
        object.__setattr__(self, "_method", method)

    def __call__(self, *args, **kwargs):
        if self._method == "subplots":
            return _subplots(*args, **kwargs)
        if self._method in ("plot", "semilogx", "semilogy", "loglog", "step"):
            return [Stub(f"{self._name}()[0]")]
        if self._method in ("get_xlim", "get_ylim", "xlim", "ylim", "get_zlim"):
            return (0.0, 1.0)
        return Stub(f"{self._name}()")


def _method(name: str, method: str) -> Stub:
    return _Method(name, method)


def _subplots(nrows: int = 1, ncols: int = 1, *args, squeeze: bool = True, **kwargs):
    """``(figure, axes)`` as ``plt.subplots`` gives them: one axes, or a
    numpy array of them (squeezed like matplotlib's)."""
    axes = np.empty((nrows, ncols), dtype=object)
    for index in np.ndindex(axes.shape):
        axes[index] = Stub(f"axes{list(index)}")
    if squeeze:
        axes = axes.squeeze()
        if axes.ndim == 0:
            axes = axes.item()
    return Stub("figure"), axes


class _StubModule(types.ModuleType):
    """A stub module: a package (submodules are stubs too) whose every
    attribute is a stub."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _method(f"{self.__name__}.{name}", name)


def _pylab_namespace() -> dict:
    """numpy's names as ``from pylab import *`` gives them, and pyplot's as
    stubs."""
    import datetime  # noqa: F401  (pylab exports it)

    import numpy.fft
    import numpy.linalg
    import numpy.ma
    import numpy.random

    namespace: dict = {}
    for module in (np, numpy.fft, numpy.linalg, numpy.random):
        names = getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")])
        namespace.update({name: getattr(module, name) for name in names
                          if hasattr(module, name)})
    namespace.update(datetime=datetime, ma=numpy.ma, np=np)
    # matplotlib's pylab imports these too (scripts use them after ``from brian2 import *``)
    import matplotlib
    import matplotlib.pyplot
    namespace.update(matplotlib=matplotlib, mpl=matplotlib, plt=matplotlib.pyplot)
    namespace.update({name: _method(f"pyplot.{name}", name) for name in PYPLOT_NAMES})
    return namespace


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        # Brian's units check matplotlib's version (for a bug of 1.3.1)
        module.__version__ = "0+stub"
        if spec.name == "pylab":
            module.__dict__.update(_pylab_namespace())
        elif spec.name == "matplotlib.pyplot":
            module.__dict__.update({name: _method(f"pyplot.{name}", name)
                                    for name in PYPLOT_NAMES})
            module.__all__ = list(PYPLOT_NAMES)
        return module

    def exec_module(self, module):
        pass


def install() -> None:
    """Make ``import matplotlib...``, ``pylab`` and ``cycler`` give stubs
    (call before importing brian2, which star-imports ``pylab``)."""
    for name in list(sys.modules):
        if name.split(".")[0] in STUBBED:
            del sys.modules[name]
    sys.meta_path.insert(0, _StubFinder())
