"""GPU diagnostic: do the GeNN groups of one Synapses draw the same u each step?"""
import os, sys, numpy as np
sys.path.insert(0, 'tests')
from test_synaptic_random import synaptic_draws, N_POST
from utils import run_with
import brian2genn_bridge.device as dev
tag = sys.argv[1] if len(sys.argv) > 1 else "0"
per_group = {}
orig = dev._SynapticSampler.after_step
def after_step(self, genn_step):
    orig(self, genn_step)
    for name, group in self.simulation.synapse_groups.items():
        if "u" in group.vars:
            group.vars["u"].pull_from_device()
            per_group.setdefault(name, []).append((genn_step, np.array(group.vars["u"].values)))
dev._SynapticSampler.after_step = after_step
r = run_with("genn", synaptic_draws)
names = sorted(per_group)
first = np.array([v for _, v in per_group[names[0]]])
diffs = {n: int(np.sum(np.array([v for _, v in per_group[n]]) != first)) for n in names[1:]}
out = [f"groups {names} diff-vs-first {diffs}"]
for summed, drawn in (("x", r["u"]), ("zz", r["z"] ** 2)):
    inc = np.diff(r[summed], axis=1)
    exp = np.array([np.bincount(r["j"], weights=c, minlength=N_POST) for c in drawn[:, 1:].T]).T
    bad = np.argwhere(np.abs(inc - exp) > 1e-9)
    out.append(f"{summed} mismatches {len(bad)} " + str([(int(a), int(b), float(inc[a, b] - exp[a, b])) for a, b in bad[:10]]))
print("RESULT", tag, " | ".join(out), flush=True)
np.savez(os.path.join(os.environ.get("OUT", "/tmp"), f"sr_{tag}.npz"), **r,
         **{f"g_{n}": np.array([v for _, v in per_group[n]]) for n in names})
