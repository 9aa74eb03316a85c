"""The differential fuzzer in CI: a fixed set of random scripts (derandomized
hypothesis), each run on the runtime device and on the GeNN device and
compared exactly (`fuzz.compare`). A failure prints the shrunk script's
source; keep it under ``tests/fuzz/regressions/``.

Longer campaigns: ``scripts/fuzz --examples 2000 --seed S``.
"""

from hypothesis import HealthCheck, given, note, reject, settings

from fuzz.compare import check_source
from fuzz.strategies import scripts

#: scripts per CI run: 80 took 132 s on 2 shared cores, building every model in a
#: fresh directory (a failure adds up to about 5 minutes of shrinking)
EXAMPLES = 80


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          print_blob=False, suppress_health_check=list(HealthCheck))
@given(spec=scripts())
def test_runtime_and_genn_agree(spec):
    source = spec.render()
    note(source)
    if check_source(source).kind == "invalid":
        reject()
