import sys, time, collections, cProfile, pstats, os
sys.path.insert(0, os.getcwd())
import numpy as np
t0 = time.perf_counter(); u = np.random.rand(100_000_000); t1 = time.perf_counter()
a = np.ones(1_000_000_000, dtype=np.int32); t2 = time.perf_counter()
b = np.log(u); t3 = time.perf_counter()
print(f"rand 1e8 {t1-t0:.2f}s  ones(1e9 int32) {t2-t1:.2f}s  log 1e8 {t3-t2:.2f}s", flush=True)
del a, b, u
import brian2genn_bridge
from brian2genn_bridge import parallel
import brian2genn_bridge.translators.synapses as syn, brian2genn_bridge.genn.simulation as rt, brian2genn_bridge.connect as cn
import brian2genn_bridge.translators.connectivity as cy
acc = collections.Counter()
orig = parallel.parallel_map
def pm(f, items):
    t0 = time.perf_counter(); r = orig(f, items); acc[f.__qualname__] += time.perf_counter() - t0; return r
for m in (parallel, syn, cy, rt, cn):
    if hasattr(m, 'parallel_map'):
        m.parallel_map = pm
from brian2 import *
from benchmarks import models
prefs.core.default_float_dtype = np.float32
set_device('genn', directory='/tmp/prof_out', backend='cuda')
seed(1234)
pr = cProfile.Profile(); pr.enable()
model = models.build_cobahh(int(sys.argv[1]))
pr.disable()
print({k: round(v, 2) for k, v in model["timings"].items()} if "timings" in model else "")
print({k: round(v, 2) for k, v in acc.items()})
pstats.Stats(pr).sort_stats('tottime').print_stats(22)
