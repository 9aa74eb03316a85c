#!/bin/bash
# Second sweep: more threads per spike for COBAHH 1e5 (0.3 s), and Mbody 40's
# KC -> eKC synapses (1 s), against the presynaptic kernel's block size.
source scripts/gpu_env.sh > /dev/null
mkdir -p "$OUT"
prof() { python3 benchmarks/profile_genn.py "$@" --directory /tmp/prof 2>&1 | grep -E "kernel_(neuron|pre|post)|simulation|rates"; }
{
for cfg in "512 64" "512 128" "1024 128" "256 64" "512 256"; do
  set -- $cfg
  echo "=== cobahh block $1 tps $2"
  prof cobahh 100000 --duration 0.3 --parallelism presynaptic --threads-per-spike $2 \
    --genn-pref cuda_presynaptic_block_size=$1
done
for cfg in "128 4" "512 4" "512 8" "512 16" "1024 8"; do
  set -- $cfg
  echo "=== mbody40 block $1 iKC_eKC tps $2"
  prof mbody 40 --synapses iKC_eKC --parallelism presynaptic --threads-per-spike $2 \
    --genn-pref cuda_presynaptic_block_size=$1
done
echo "=== mbody40 block 512 auto"
prof mbody 40 --genn-pref cuda_presynaptic_block_size=512
} 2>&1 | tee "$OUT/sweep2.txt"
{
echo "=== EXPERIMENT cobahh block 512 tps 64, dt a scalar literal"
BRIDGE_EXPERIMENT_SCALAR_DT=1 prof cobahh 100000 --duration 0.3 --parallelism presynaptic --threads-per-spike 64 \
    --genn-pref cuda_presynaptic_block_size=512
} 2>&1 | tee -a "$OUT/sweep2.txt"
